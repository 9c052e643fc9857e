/** `topics[0].concepts.dprk` — a key path written the way a user finds it in a YAML file. */
export function formatPath(parts: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of parts) out += typeof part === 'number' ? `[${part}]` : out ? `.${String(part)}` : String(part);
  return out || '(top level)';
}
