// Vite's `?worker&url` import: the URL of the bundled file in the build (a same-origin script).
declare module '*?worker&url' {
  const url: string;
  export default url;
}
