// Small DOM helpers: typed element lookup and element creation.

/** The element with this id; throws (a page bug) when it is missing or of another type. */
export function byId<T extends HTMLElement = HTMLElement>(id: string, type?: { new (): T }): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`playground: no element #${id}`);
  if (type && !(el instanceof type)) throw new Error(`playground: #${id} is not a ${type.name}`);
  return el as T;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<Record<string, string>> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) if (v !== undefined) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

export function fillSelect(select: HTMLSelectElement, options: readonly { value: string; label: string }[], selected?: string): void {
  select.replaceChildren(...options.map((o) => h('option', { value: o.value }, o.label)));
  if (selected !== undefined) select.value = selected;
}

/** Resolves on the next macrotask: lets the browser paint and handle input between chunks of work. */
export function yieldToBrowser(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Resolves with the timestamp of the next animation frame (inside its callbacks, before it is painted). */
export function nextFrame(): Promise<number> {
  return new Promise((resolve) => requestAnimationFrame(resolve));
}

export function fmt(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4)) return v.toExponential(digits - 1);
  return v.toFixed(digits);
}
