// Entry point: styles, the language provider and the app, mounted into index.html's #app.
import { render } from 'preact';
import './styles.css';
import { I18nProvider } from './i18n/i18n.js';
import { App } from './app.js';

const root = document.getElementById('app');
if (root) {
  render(
    <I18nProvider>
      <App />
    </I18nProvider>,
    root,
  );
}
