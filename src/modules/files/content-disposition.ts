// The one Content-Disposition for a file's name: always an attachment, an ASCII fallback for old clients, and the
// exact UTF-8 name (RFC 6266/5987). Used for downloads and for the copies forwarded into a customer's bucket.

export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%;]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
