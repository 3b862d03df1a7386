// The verification page's stylesheet (inline in the page, which loads nothing else).
// Verdict colours: green valid, red invalid, amber not checked against the chain, grey-blue
// cannot judge (page-verdict.ts).
export const VERIFY_PAGE_STYLE = `
:root { color-scheme: light; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a;
  max-width: 56rem; margin: 2rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.6rem; margin-bottom: .3rem; }
.lead { color: #444; }
code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .85em; overflow-wrap: anywhere; }
.inputs { display: grid; gap: .4rem; margin: 1.2rem 0; }
label { font-weight: 600; margin-top: .6rem; }
label input[type=file] { font-weight: normal; font-size: .85em; margin-left: .4rem; }
textarea { min-height: 8rem; font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; padding: .5rem; border: 1px solid #bbb; border-radius: 4px; }
textarea.dragging { border: 2px dashed #1565c0; background: #e3f2fd; }
#rpc { font: 13px ui-monospace, "DejaVu Sans Mono", monospace; padding: .4rem; border: 1px solid #bbb; border-radius: 4px; }
#verify { justify-self: start; margin-top: .6rem; padding: .5rem 1.4rem; font: inherit; font-weight: 600; cursor: pointer; }
.verdict { padding: .7rem 1rem; border-radius: 6px; font-weight: 600; background: #f1f1f1; border: 1px solid #ccc; }
.verdict.pass { background: #e6f4ea; border-color: #2e7d32; color: #1b5e20; }
.verdict.fail { background: #fdecea; border-color: #c62828; color: #8e0000; }
.verdict.unchecked { background: #fff8e1; border-color: #f9a825; color: #6d4c00; }
.verdict.unsupported { background: #eceff1; border-color: #607d8b; color: #37474f; }
.verdict-notary { color: #444; font-size: .9em; margin-top: .3rem; }
.notary { border: 2px solid #1565c0; border-radius: 6px; padding: .3rem 1rem .6rem; background: #f5f9ff; }
.notary[data-source=loaded] { border-color: #6a1b9a; background: #faf5ff; }
.notary h2 { font-size: 1.05rem; margin: .5rem 0 .2rem; }
.notary p { margin: .3rem 0; }
.notary-name { font-size: 1.15rem; }
.notary .source { color: #555; font-size: .8em; }
.fingerprint { font-size: 1.05rem; font-weight: 700; letter-spacing: .03em; background: #fff; padding: .1rem .3rem; border: 1px solid #bbb; border-radius: 3px; }
.notary details { margin-top: .4rem; color: inherit; }
.notary textarea { min-height: 5rem; width: 100%; box-sizing: border-box; margin-top: .4rem; }
.notary button { margin-top: .4rem; }
#notary-reset { margin: 0 0 0 .6rem; font-size: .8rem; vertical-align: middle; }
.error { color: #8e0000; background: #fdecea; border: 1px solid #c62828; border-radius: 4px; padding: .4rem .6rem; }
#checks { padding-left: 1.4rem; }
.check { margin: .6rem 0; padding: .4rem .7rem; border-left: 5px solid #9e9e9e; background: #fafafa; }
.check.pass { border-color: #2e7d32; }
.check.fail { border-color: #c62828; background: #fff5f5; }
.check p { margin: .1rem 0; }
.check-title { font-weight: 600; }
.check-title .name { color: #666; font-weight: normal; }
.badge { display: inline-block; min-width: 4.5rem; text-align: center; border-radius: 4px; padding: 0 .4rem;
  font-size: .8em; font-weight: 700; text-transform: uppercase; color: #fff; background: #757575; }
.pass .badge { background: #2e7d32; }
.fail .badge { background: #c62828; }
.explains { color: #555; font-size: .9em; }
.result { font-size: .95em; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .6rem; font-size: .85em; margin: .3rem 0 0; }
dd { margin: 0; font-family: ui-monospace, "DejaVu Sans Mono", monospace; overflow-wrap: anywhere; }
details { margin-top: 2rem; color: #444; }`;
