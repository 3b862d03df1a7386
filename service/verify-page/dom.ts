// Small DOM helpers for the verification page's script. Everything shown is set as text,
// never as HTML: a bundle, a record or a profile is untrusted input.

export function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found as T;
}

export function make(tag: string, className: string, text?: string): HTMLElement {
  const e = document.createElement(tag);
  if (className !== "") e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * A textarea that also takes a dropped file, or one chosen with its file input. `loaded`
 * runs once the file's text is in the textarea, with the file's name.
 */
export function acceptFiles(
  area: HTMLTextAreaElement,
  picker: HTMLInputElement,
  loaded: (fileName: string) => void = () => {},
): void {
  const load = async (file: File | undefined) => {
    if (file === undefined) return;
    area.value = await file.text();
    loaded(file.name);
  };
  area.addEventListener("dragover", (event) => {
    event.preventDefault();
    area.classList.add("dragging");
  });
  area.addEventListener("dragleave", () => area.classList.remove("dragging"));
  area.addEventListener("drop", (event) => {
    event.preventDefault();
    area.classList.remove("dragging");
    void load(event.dataTransfer?.files[0]);
  });
  picker.addEventListener("change", () => {
    void load(picker.files?.[0]);
    // Choosing the same file again must load it again.
    picker.value = "";
  });
}
