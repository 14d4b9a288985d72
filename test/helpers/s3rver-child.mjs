// Runs s3rver (S3-compatible test server) in a child process started by s3rver.ts: node needs
// --openssl-legacy-provider for s3rver's DES continuation tokens, which the test process lacks.
// Args: DIR BUCKET[,BUCKET...]. Prints {"port":N} once listening; GET /__requests returns the
// requests served so far as JSON (method, url). Exits when its stdin closes (the parent is gone).
import { createServer } from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const S3rver = require('s3rver');
const [directory, buckets = ''] = process.argv.slice(2);
const s3 = new S3rver({ silent: true, directory, configureBuckets: buckets.split(',').filter(Boolean).map((name) => ({ name })) });
await s3.configureBuckets();
const handle = s3.callback();
const requests = [];
const server = createServer((req, res) => {
  if (req.url === '/__requests') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(requests));
    return;
  }
  requests.push({ method: req.method, url: req.url });
  handle(req, res);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
