// Fixture run in a child process by test/integration/nft.test.ts: a test that creates a fault
// table through the helper, prints its name and then fails, so the file's caller can check from
// outside that the table was deleted in teardown all the same.
import t from 'tap';
import { faultTable } from './nft.js';

void t.test('fails after creating a fault table', async (t) => {
  const table = await faultTable(t, 'teardown');
  if (!table) return;
  await table.dropEcho('127.99.7.1');
  t.comment(`TABLE=${table.name}`);
  t.fail('deliberate failure');
});
