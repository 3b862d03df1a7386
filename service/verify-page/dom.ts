// Small DOM helpers for the verification page's script. Everything shown is set as text,
// never as HTML: a bundle, a record or a profile is untrusted input.
import { decodeJsonBytes } from "../core/json-text.ts";

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

export interface FileHandlers {
  /** Runs once the file's text is in the textarea, with the file's name. */
  loaded?: (fileName: string) => void;
  /**
   * Runs instead when the file is not UTF-8 text without a byte-order mark (core/json-text.ts),
   * with its name and what is wrong ("is not UTF-8: …"). The textarea is emptied: nothing is repaired.
   */
  refused: (fileName: string, problem: string) => void;
}

/** A textarea that also takes a dropped file, or one chosen with its file input. */
export function acceptFiles(
  area: HTMLTextAreaElement,
  picker: HTMLInputElement,
  handlers: FileHandlers,
): void {
  // Not file.text(): it would put U+FFFD for bytes that are not UTF-8 and drop a byte-order mark.
  const load = async (file: File | undefined) => {
    if (file === undefined) return;
    let text: string;
    try {
      text = decodeJsonBytes(new Uint8Array(await file.arrayBuffer()));
    } catch (error) {
      area.value = "";
      handlers.refused(file.name, (error as Error).message);
      return;
    }
    area.value = text;
    handlers.loaded?.(file.name);
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
