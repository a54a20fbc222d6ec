import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, type FirstConfig } from './app';
import { firstConfig } from './early';

// Drawn once the key's settings are in (the entry asked for them before this chunk loaded), so the
// first render is the page itself rather than a loading note.
const render = (first: FirstConfig) =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App first={first} />
    </StrictMode>,
  );

firstConfig.then(
  (config) => render({ config, problem: null }),
  (err: Error) => render({ config: null, problem: `The collector did not answer: ${err.message}` }),
);
