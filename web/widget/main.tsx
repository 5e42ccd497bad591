// Entry of the widget iframe (/widget/?key=…): reads the widget key from the URL and mounts the chat.
import { createRoot } from 'react-dom/client';
import '../ui/base.css';
import './widget.css';
import { App } from './App.js';

const key = new URLSearchParams(location.search).get('key') ?? '';
const root = createRoot(document.getElementById('root')!);
root.render(
  key ? (
    <App widgetKey={key} />
  ) : (
    <p className="w-state p-notice p-notice--error" role="alert">
      This chat is missing its widget key.
    </p>
  ),
);
