// `npm run bench -- transcode`: the transcoding benchmark under the common runner, which
// writes bench/results/transcode.json. `node bench/transcode/run.mjs` runs it on its own.
export { description, name, run } from './run.mjs';
export { formatReport } from './report.mjs';
