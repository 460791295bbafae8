// Seeds the data of bench/instructions.sh through the API at URL (argv[2]): 10 users, `posts`
// (rule "") and `owned_posts` (rule `author = @request.auth.id`), 3,000 posts each. Prints
// {user: a token of user0, post: one of its owned posts}.
const url = process.argv[2];
async function req(method, path, body, token) {
  const r = await fetch(url + path, { method, headers: { "content-type": "application/json", ...(token ? { authorization: token } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const t = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${t}`);
  return t ? JSON.parse(t) : null;
}
const su = (await req("POST", "/api/collections/_superusers/auth-with-password", { identity: "admin@example.com", password: "Passw0rd!1234" })).token;
const users = [];
for (let i = 0; i < 10; i++) users.push((await req("POST", "/api/collections/users/records", { email: `user${i}@example.com`, password: "bench-Secret-123", passwordConfirm: "bench-Secret-123", name: `User ${i}` }, su)).id);
const usersC = await req("GET", "/api/collections/users", null, su);
for (const [name, rule] of [["posts", ""], ["owned_posts", "author = @request.auth.id"]]) {
  await req("POST", "/api/collections", { name, type: "base", listRule: rule, viewRule: rule, createRule: "", updateRule: rule,
    fields: [{ name: "title", type: "text" }, { name: "views", type: "number" }, { name: "published", type: "bool" }, { name: "author", type: "relation", collectionId: usersC.id, maxSelect: 1 }] }, su);
}
let n = 0; let seed = 42; const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const jobs = [];
for (let i = 0; i < 3000; i++) {
  const body = { title: `post ${i}`, views: Math.floor(rnd() * 1000), published: rnd() < 0.7, author: users[i % 10] };
  jobs.push(["posts", body], ["owned_posts", body]);
}
while (jobs.length) await Promise.all(jobs.splice(0, 16).map(([c, b]) => req("POST", `/api/collections/${c}/records`, b, su)));
const user = (await req("POST", "/api/collections/users/auth-with-password", { identity: "user0@example.com", password: "bench-Secret-123" })).token;
const one = (await req("GET", "/api/collections/owned_posts/records?perPage=1", null, user)).items[0].id;
console.log(JSON.stringify({ user, post: one }));
