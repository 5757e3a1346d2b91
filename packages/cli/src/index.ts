export { runDemo } from "./demo.js";
export { progressView, type ProgressView } from "./progress.js";
