/// The query page `GET /graphql` shows a browser: a query, its variables and a bearer token, run with
/// `fetch` against the same endpoint. Self-contained: no script, style or font from anywhere else.
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
        <p><button id="run">Run</button> <button id="schema">Show the schema types</button></p>
        </div>
        <pre id="result"></pre>
        <script>
        async function run(query, variables) {
          const headers = {"Content-Type": "application/json"};
          const token = document.getElementById("token").value.trim();
          if (token) headers.Authorization = "Bearer " + token;
          const response = await fetch("/graphql", {method: "POST", headers,
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
