// Vite's `?raw` imports: a file's text, bundled as a string (the admin shows docs/examples/ files this way).
declare module '*?raw' {
  const text: string;
  export default text;
}
