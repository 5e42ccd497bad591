// Fills {{variable}} in a flow's texts with what the visitor answered. No escaping: texts are data that the
// clients render as text, never as HTML. Unknown variables become empty.
export function fillTemplate(text: string, vars: Record<string, string>): string {
  return text.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_m, name: string) => vars[name] ?? '');
}
