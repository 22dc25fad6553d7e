/// The query page `GET /graphql` shows a browser: a query, its variables and a bearer token, run with
/// `fetch` against the same endpoint; a subscription runs over a WebSocket (graphql-transport-ws) and
/// shows each update as it comes. Self-contained: no script, style or font from anywhere else.
enum GraphQLPage {
    static let html = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Sprocket GraphQL</title>
        <style>
        body{font:14px system-ui,sans-serif;margin:1rem;display:grid;gap:.5rem;grid-template-columns:1fr 1fr}
        textarea,pre,input{font:13px ui-monospace,monospace;width:100%;box-sizing:border-box}
        textarea{height:14rem}pre{background:#f4f4f4;padding:.5rem;min-height:30rem;margin:0;overflow:auto}
        h1{grid-column:1/3;font-size:1.2rem;margin:0}
        </style></head><body>
        <h1>Sprocket GraphQL</h1>
        <div>
        <label>Query<textarea id="query">{
          parts(first: 5) {
            edges { node { sku name price { amount currency } } }
            pageInfo { hasNextPage endCursor }
          }
        }</textarea></label>
        <label>Variables (JSON)<textarea id="variables" style="height:5rem">{}</textarea></label>
        <label>Bearer token<input id="token" placeholder="from the login mutation or POST /api/v1/auth/token"></label>
        <p><button id="run">Run</button> <button id="schema">Show the schema types</button>
        <button id="stop" disabled>Stop the subscription</button></p>
        </div>
        <pre id="result"></pre>
        <script>
        let socket = null;
        function subscribe(query, variables, token) {
          const result = document.getElementById("result");
          result.textContent = "";
          // ws: or wss:, as the page came (its protocol's 5th character on).
          socket = new WebSocket("ws" + location.protocol.slice(4) + "//" + location.host + "/graphql",
            "graphql-transport-ws");
          document.getElementById("stop").disabled = false;
          socket.onopen = () => socket.send(JSON.stringify({type: "connection_init",
            payload: token ? {authorization: "Bearer " + token} : {}}));
          socket.onmessage = (event) => {
            const message = JSON.parse(event.data);
            if (message.type === "connection_ack") {
              socket.send(JSON.stringify({id: "1", type: "subscribe", payload: {query, variables}}));
            } else if (message.type === "ping") {
              socket.send(JSON.stringify({type: "pong"}));
            } else {
              result.textContent += new Date().toISOString() + " " + message.type + "\n" +
                (message.payload ? JSON.stringify(message.payload, null, 2) + "\n" : "");
            }
          };
          socket.onclose = (event) => {
            result.textContent += "closed " + event.code + " " + event.reason + "\n";
            document.getElementById("stop").disabled = true;
          };
        }
        document.getElementById("stop").onclick = () => socket && socket.close();
        async function run(query, variables) {
          const headers = {"Content-Type": "application/json"};
          const token = document.getElementById("token").value.trim();
          if (socket) { socket.close(); socket = null; }
          if (/^\\s*subscription\\b/.test(query)) return subscribe(query, variables, token);
          if (token) headers.Authorization = "Bearer " + token;
          const response = await fetch(location.pathname, {method: "POST", headers,
            body: JSON.stringify({query, variables})});
          document.getElementById("result").textContent =
            response.status + "\\n" + JSON.stringify(await response.json(), null, 2);
        }
        document.getElementById("run").onclick = () => {
          let variables = {};
          try { variables = JSON.parse(document.getElementById("variables").value || "{}"); }
          catch (e) { document.getElementById("result").textContent = "Variables: " + e; return; }
          run(document.getElementById("query").value, variables);
        };
        document.getElementById("schema").onclick = () =>
          run("{ __schema { types { name kind description fields { name } } } }", {});
        </script></body></html>
        """
}
