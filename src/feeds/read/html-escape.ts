/** Plain text fields become HTML so that every consumer can treat summaryHtml/contentHtml alike. */
export function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
