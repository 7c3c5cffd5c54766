/** Response rendering: JSON (the default here) or XML when the request said `Format=XML`. */

export type ResponseFormat = 'JSON' | 'XML';

/** The response format a request asked for; anything but XML (case-insensitive) is JSON. */
export function responseFormat(params: Readonly<Record<string, string>>): ResponseFormat {
  return params.Format?.toUpperCase() === 'XML' ? 'XML' : 'JSON';
}

/** Renders a body object under `root` (`<ActionResponse>` or `<Error>`) as XML. */
export function toXml(root: string, body: Record<string, unknown>): string {
  return `<?xml version="1.0" encoding="UTF-8"?><${root}>${children(body)}</${root}>`;
}

function children(value: Record<string, unknown>): string {
  let out = '';
  for (const [name, child] of Object.entries(value)) {
    if (child === undefined || child === null) continue;
    if (Array.isArray(child)) {
      for (const item of child) out += element(name, item);
    } else {
      out += element(name, child);
    }
  }
  return out;
}

function element(name: string, value: unknown): string {
  if (typeof value === 'object' && value !== null)
    return `<${name}>${children(value as Record<string, unknown>)}</${name}>`;
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
