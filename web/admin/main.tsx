// Entry of the admin (/admin/).
import { createRoot } from 'react-dom/client';
import '../ui/base.css';
import './admin.css';
import { App } from './App.js';

createRoot(document.getElementById('root')!).render(<App />);
