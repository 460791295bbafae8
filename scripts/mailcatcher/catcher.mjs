// A capturing SMTP server for Basalt's mail tests.
//
//   node catcher.mjs SMTP_PORT HTTP_PORT
//
// SMTP on 127.0.0.1:SMTP_PORT (no STARTTLS; AUTH PLAIN and LOGIN optional: the user
// `basalt` with the password `secret` is accepted, any other login is refused) stores each
// message, parsed by mailparser. HTTP on 127.0.0.1:HTTP_PORT:
//   GET    /messages           every message, oldest first (?to=ADDRESS: only those sent to it)
//   DELETE /messages           forgets them
//   GET    /health             "ok"
// A message is {id, envelope: {from, to}, authUser, from, to, cc, subject, html, text,
// headers: {name: value}, attachments: [{filename, contentType, size, content (base64)}]},
// addresses as {address, name}.
import { SMTPServer } from "smtp-server";
import { simpleParser } from "mailparser";
import http from "node:http";

const [smtpPort, httpPort] = process.argv.slice(2).map(Number);
if (!smtpPort || !httpPort) {
  console.error("usage: node catcher.mjs SMTP_PORT HTTP_PORT");
  process.exit(2);
}

const messages = [];
let nextId = 1;

const addresses = (field) => (field ? field.value.map(({ address, name }) => ({ address, name })) : []);

const smtp = new SMTPServer({
  disabledCommands: ["STARTTLS"],
  authOptional: true,
  allowInsecureAuth: true,
  authMethods: ["PLAIN", "LOGIN"],
  logger: false,
  onAuth(auth, _session, callback) {
    if (auth.username === "basalt" && auth.password === "secret") {
      callback(null, { user: auth.username });
    } else {
      callback(new Error("Invalid username or password"));
    }
  },
  onData(stream, session, callback) {
    simpleParser(stream)
      .then((parsed) => {
        const headers = {};
        for (const [name, value] of parsed.headers) {
          headers[name] = typeof value === "string" ? value : (value?.text ?? value?.value ?? JSON.stringify(value));
        }
        messages.push({
          id: nextId++,
          envelope: {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            to: session.envelope.rcptTo.map((r) => r.address),
          },
          authUser: session.user ?? null,
          from: addresses(parsed.from)[0] ?? null,
          to: addresses(parsed.to),
          cc: addresses(parsed.cc),
          subject: parsed.subject ?? "",
          html: parsed.html || "",
          text: parsed.text ?? "",
          headers,
          attachments: parsed.attachments.map((a) => ({
            filename: a.filename,
            contentType: a.contentType,
            size: a.size,
            content: a.content.toString("base64"),
          })),
        });
        callback();
      })
      .catch((err) => callback(err));
  },
});
smtp.on("error", (err) => console.error("smtp:", err.message));

const api = http.createServer((req, res) => {
  const url = new URL(req.url, "http://localhost");
  const json = (status, body) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  if (url.pathname === "/health") {
    res.end("ok");
  } else if (url.pathname === "/messages" && req.method === "GET") {
    const to = url.searchParams.get("to");
    const list = to
      ? messages.filter((m) => m.envelope.to.some((a) => a.toLowerCase() === to.toLowerCase()))
      : messages;
    json(200, list);
  } else if (url.pathname === "/messages" && req.method === "DELETE") {
    messages.length = 0;
    json(200, {});
  } else {
    json(404, { error: "not found" });
  }
});

smtp.listen(smtpPort, "127.0.0.1", () => {
  api.listen(httpPort, "127.0.0.1", () => {
    console.log(`mailcatcher: SMTP 127.0.0.1:${smtpPort}, HTTP 127.0.0.1:${httpPort}`);
  });
});
