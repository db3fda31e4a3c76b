// Drives a running GPTLens with the official OpenAI SDK (npm openai), unchanged, as a user's program would.
// Usage: node openai-client.mjs BASE_URL CHAT_MODEL EMBEDDING_MODEL
// Prints one JSON object with what each call returned; OpenAiClientTest compares it with GPTLens's own answers.
import OpenAI from 'openai';

const [baseURL, chatModel, embeddingModel] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: 'not-needed' });
const out = {};

out.models = (await client.models.list()).data.map((m) => m.id);

const plain = await client.completions.create({ model: chatModel, prompt: 'Once upon a time', max_tokens: 8, temperature: 0 });
out.completion = { text: plain.choices[0].text, finish_reason: plain.choices[0].finish_reason, usage: plain.usage };

const scored = await client.completions.create({ model: chatModel, prompt: 'Once upon a time', max_tokens: 4, temperature: 0, logprobs: 2 });
out.completionLogprobs = scored.choices[0].logprobs;

let streamed = '';
for await (const chunk of await client.completions.create({ model: chatModel, prompt: 'Once upon a time', max_tokens: 8, temperature: 0, stream: true })) {
  streamed += chunk.choices[0]?.text ?? '';
}
out.completionStream = streamed;

const messages = [{ role: 'system', content: 'Book' }, { role: 'user', content: 'What is the best book' }];
const chat = await client.chat.completions.create({ model: chatModel, messages, max_tokens: 8, temperature: 0, logprobs: true, top_logprobs: 3 });
out.chat = { content: chat.choices[0].message.content, role: chat.choices[0].message.role, finish_reason: chat.choices[0].finish_reason,
  usage: chat.usage, logprobs: chat.choices[0].logprobs.content.map((t) => ({ token: t.token, logprob: t.logprob, top: t.top_logprobs.length })) };

let chatStreamed = '';
let chatStreamTokens = '';
let usage = null;
for await (const chunk of await client.chat.completions.create({ model: chatModel, messages, max_tokens: 8, temperature: 0, stream: true,
  logprobs: true, top_logprobs: 2, stream_options: { include_usage: true } })) {
  if (chunk.usage) usage = chunk.usage;
  const c = chunk.choices[0];
  if (!c) continue;
  chatStreamed += c.delta?.content ?? '';
  for (const t of c.logprobs?.content ?? []) chatStreamTokens += t.token;
}
out.chatStream = { content: chatStreamed, tokens: chatStreamTokens, usage };

const emb = await client.embeddings.create({ model: embeddingModel, input: 'a happy dog' });
out.embedding = { length: emb.data[0].embedding.length, first: emb.data[0].embedding.slice(0, 3) };

console.log(JSON.stringify(out));
