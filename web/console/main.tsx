// Entry of the agent console (/console/).
import { createRoot } from 'react-dom/client';
import '../ui/base.css';
import './console.css';
import { App } from './App.js';

createRoot(document.getElementById('root')!).render(<App />);
