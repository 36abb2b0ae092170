import { useMemo, useState } from 'preact/hooks';
import { Api, initialToken, saveToken } from './api.js';
import { useRoute } from './hooks.js';
import { TaskDetail } from './views/TaskDetail.js';
import { TaskList } from './views/TaskList.js';

/** The board: the task list at `#/`, a run at `#/tasks/<id>`; a login box when the server says 401. */
export function App() {
  const [token, setToken] = useState(initialToken);
  const [needLogin, setNeedLogin] = useState(false);
  const api = useMemo(() => new Api(token), [token]);
  const route = useRoute();
  const onUnauthorized = () => setNeedLogin(true);
  const match = /^\/tasks\/(.+)$/.exec(route);
  return (
    <div class="app">
      <header class="top">
        <a href="#/" class="brand">
          Troupe
        </a>
        <span class="muted">task board</span>
      </header>
      {needLogin ? (
        <Login
          onToken={(t) => {
            saveToken(t);
            setToken(t);
            setNeedLogin(false);
          }}
        />
      ) : match?.[1] !== undefined ? (
        <TaskDetail api={api} id={decodeURIComponent(match[1])} onUnauthorized={onUnauthorized} />
      ) : (
        <TaskList api={api} onUnauthorized={onUnauthorized} />
      )}
    </div>
  );
}

function Login(props: { onToken: (token: string) => void }) {
  const [value, setValue] = useState('');
  return (
    <form
      class="panel login"
      onSubmit={(e) => {
        e.preventDefault();
        props.onToken(value.trim());
      }}
    >
      <h2>Sign in</h2>
      <p class="muted">The server wants its API token (TROUPE_API_TOKEN).</p>
      <input
        type="password"
        name="token"
        placeholder="API token"
        value={value}
        onInput={(e) => setValue(e.currentTarget.value)}
      />
      <button type="submit">Sign in</button>
    </form>
  );
}
