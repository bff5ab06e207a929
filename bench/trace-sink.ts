// Where a measured server's traces go: an OTLP/HTTP endpoint that takes each batch and answers
// 200, as a collector would. The server still serializes and posts every span; the sink's own
// CPU is the bench's (traceSink) or a process of its own (traceSinkProcess, for a measure that
// counts its own process's CPU).
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * The share of requests production traces (README, Operations: `parentbased_traceidratio` with
 * this ratio), which the benches measure as production: 1 in 100. At 1 in 20 metrics and traces
 * cost byid 7.5–9% of its CPU, at 1 in 100 4–5.5% (docs/performance.md, 2026-12-08).
 */
export const PRODUCTION_RATIO = 0.01;
/** The sampler settings of a production server, as its environment gives them. */
export const PRODUCTION_SAMPLING = {
  OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
  OTEL_TRACES_SAMPLER_ARG: String(PRODUCTION_RATIO),
};

// Self-contained: the child process runs its source.
const answer = (request: IncomingMessage, response: ServerResponse) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
};

/** The endpoint's base URL (OTEL_EXPORTER_OTLP_ENDPOINT), served by this process. */
export async function traceSink(): Promise<string> {
  const sink = createServer(answer);
  await new Promise<void>((done) => sink.listen(0, '127.0.0.1', done));
  sink.unref();
  const address = sink.address();
  if (typeof address !== 'object' || !address) throw new Error('the trace sink has no port');
  return `http://127.0.0.1:${address.port}`;
}

/** The same endpoint served by a child process, stopped with `stop`. */
export async function traceSinkProcess(): Promise<{ url: string; stop(): void }> {
  const source = `const sink = require('node:http').createServer(${answer.toString()});
sink.listen(0, '127.0.0.1', () => console.log(sink.address().port));`;
  const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (data: Buffer) => resolve(data.toString().trim()));
    child.once('exit', (code) => reject(new Error(`the trace sink exited (${code})`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}
