import { targetOfUrl, targetPerClient } from '../src';

describe('where a call goes', () => {
  it('reads host and port from a base URL, the scheme naming the port when the URL does not', () => {
    expect(targetOfUrl('https://api.openai.com/v1', 'openai')).toEqual({ provider: 'openai', serverAddress: 'api.openai.com', serverPort: 443 });
    expect(targetOfUrl('http://127.0.0.1:8080', 'openai')).toEqual({ provider: 'openai', serverAddress: '127.0.0.1', serverPort: 8080 });
    expect(targetOfUrl('not a url', 'openai')).toEqual({ provider: 'openai', serverAddress: null, serverPort: null });
  });

  it("reads a client's target once, and again when its base URL changes", () => {
    const read: string[] = [];
    const target = targetPerClient<object>((_client, baseUrl) => {
      read.push(String(baseUrl));
      return targetOfUrl(baseUrl, 'openai');
    });
    const client = {};
    expect(target(client, 'https://a.example/v1').serverAddress).toBe('a.example');
    expect(target(client, 'https://a.example/v1').serverAddress).toBe('a.example');
    expect(target(client, 'https://b.example/v1').serverAddress).toBe('b.example');
    expect(target({}, 'https://a.example/v1').serverAddress).toBe('a.example');
    expect(read).toEqual(['https://a.example/v1', 'https://b.example/v1', 'https://a.example/v1']);
  });
});
