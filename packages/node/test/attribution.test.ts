import { context, propagation } from '@opentelemetry/api';
import { currentAttribution, setAttribution, withAttribution } from '../src';
import { type InProcess, inProcess } from './support/in-process';

describe('attribution', () => {
  let h: InProcess;
  beforeEach(async () => {
    h = await inProcess();
  });
  afterEach(() => h.close());
  const chat = (model = 'gpt-4o-mini') => h.client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });
  const userOf = async (name: string) => (await h.spans()).filter((s) => s.name === name).map((s) => s.attributes['user.id']);

  it('puts user, agent, conversation, feature and tags on spans started after an await', async () => {
    await withAttribution(
      { userId: 'u1', agentId: 'planner', conversationId: 'c1', feature: 'search', tags: { tenant_plan: 'pro', region: 'eu' } },
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        await chat();
      },
    );
    const [span] = await h.spans();
    expect(span.attributes).toMatchObject({
      'user.id': 'u1',
      'gen_ai.agent.id': 'planner',
      'gen_ai.conversation.id': 'c1',
      'tokenledger.feature': 'search',
      'tokenledger.tag.tenant_plan': 'pro',
      'tokenledger.tag.region': 'eu',
    });
  });

  it('keeps concurrent requests apart', async () => {
    await Promise.all(
      ['a', 'b', 'c'].map((user) =>
        withAttribution({ userId: user }, async () => {
          await new Promise((resolve) => setTimeout(resolve, user === 'a' ? 5 : 1));
          return h.client.chat.completions.create({ model: `gpt-4o-mini`, messages: [{ role: 'user', content: user }] });
        }),
      ),
    );
    const spans = await h.spans();
    expect(spans.map((s) => s.attributes['user.id']).sort()).toEqual(['a', 'b', 'c']);
  });

  it('follows timer callbacks scheduled inside, and a stream read after the callback returned', async () => {
    let fromCallback!: Promise<unknown>;
    const stream = await withAttribution({ userId: 'streamer' }, async () => {
      fromCallback = new Promise((resolve) => setTimeout(() => resolve(chat('gpt-4o-mini')), 1));
      return h.client.chat.completions.create({
        model: 'gpt-4o',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'hi' }],
      });
    });
    for await (const _ of stream) {
      /* read outside the attribution: the span was started inside it */
    }
    await fromCallback;
    expect(await userOf('chat gpt-4o')).toEqual(['streamer']);
    expect(await userOf('chat gpt-4o-mini')).toEqual(['streamer']);
  });

  it('lets an inner attribution add to and replace the outer one, and ends with its callback', () => {
    withAttribution({ userId: 'outer', feature: 'f1' }, () =>
      withAttribution({ agentId: 'inner-agent', feature: 'f2' }, () =>
        expect(currentAttribution()).toEqual({ userId: 'outer', agentId: 'inner-agent', feature: 'f2' }),
      ),
    );
    expect(currentAttribution()).toEqual({});
  });

  it('setAttribution attributes the rest of the current async context until disposed', async () => {
    await context.with(context.active(), async () => {
      const token = setAttribution({ userId: 'request-user' });
      await chat();
      token.dispose();
      await chat('gpt-4o');
    });
    expect(await userOf('chat gpt-4o-mini')).toEqual(['request-user']);
    expect(await userOf('chat gpt-4o')).toEqual([undefined]);
  });

  it('is carried as W3C baggage named as the span attributes', () => {
    const headers: Record<string, string> = {};
    withAttribution({ userId: 'u 1', feature: 'chat', tags: { plan: 'pro' } }, () => propagation.inject(context.active(), headers));
    expect(headers.baggage.split(',').sort()).toEqual(['tokenledger.feature=chat', 'tokenledger.tag.plan=pro', 'user.id=u%201']);
  });

  it.each([
    [{ userId: '' }, 'userId must be a non-empty string'],
    [{ agentId: 42 }, 'agentId must be a non-empty string'],
    [{ tags: { 'bad name': 'x' } }, 'tags.bad name is not a valid tag name'],
    [{ tags: { plan: 3 } }, 'tags.plan must be a string'],
  ])('rejects %j naming the field', (attribution, message) => {
    expect(() => withAttribution(attribution as never, () => 1)).toThrow(new TypeError(`withAttribution: ${message}`).message);
  });
});
