import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { npmHarness } from './compat-helpers/npm-client.js';

// get_service(id, {case_conversion}) converts keys on the server the way hypha-rpc's
// convert_case does (the reference server delegates to it): to camel, a key without "_" keeps its
// letters but starts lower-case ("HelloWorld" -> "helloWorld"); to snake, every capital becomes
// "_" + lower-case, leading "_" stripped ("HelloWorld" -> "hello_world").

const h = npmHarness();
beforeAll(() => h.start());
afterEach(() => h.closeAll());
afterAll(() => h.stop());

describe('get_service case_conversion (npm hypha-rpc)', () => {
  it('camel-cases a PascalCase method like hypha-rpc (hypha-rpc test_case_conversion)', async () => {
    const provider = await h.connect();
    const info = await provider.registerService({
      id: 'hello-world',
      config: { visibility: 'public' },
      HelloWorld: (name: string) => `Hello ${name}`,
    });
    const caller = await h.connect();
    const plain = await caller.getService(info.id);
    expect(await plain.HelloWorld('world')).toBe('Hello world');

    const camel = await caller.getService(info.id, { case_conversion: 'camel' });
    expect(Object.keys(camel)).toContain('helloWorld');
    expect(await camel.helloWorld('world')).toBe('Hello world');

    const snake = await caller.getService(info.id, { case_conversion: 'snake' });
    expect(await snake.hello_world('world')).toBe('Hello world');
  });
});
