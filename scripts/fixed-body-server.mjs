// The anchor server: node:http answering a fixed, valid BindAxnExtension body to every request, doing
// nothing else. Prints its URL on the first line.
import { createServer } from 'node:http';

const body = JSON.stringify({
  RequestId: '9297B722-A016-43FB-B51A-E54050D9369D',
  Code: 'OK',
  Message: 'OK',
  SecretBindDTO: { Extension: '130', SubsId: '1000000000000000003', SecretNo: '17000000001' },
});
const server = createServer({ keepAliveTimeout: 5000 }, (req, res) => {
  req.resume();
  req.on('end', () =>
    res
      .writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
      .end(body),
  );
});
server.listen(0, '127.0.0.1', () => console.log(`http://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
