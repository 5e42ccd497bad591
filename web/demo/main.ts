// The demo page embeds the default workspace's widget exactly as a customer's site would: with the loader script.
import '../ui/base.css';
import './demo.css';
import { api } from '../ui/api.js';

async function embedDemoWidget() {
  const status = document.getElementById('demo-status');
  try {
    const { widgetKey } = await api<{ widgetKey: string }>('/api/demo');
    const script = document.createElement('script');
    script.src = `${location.origin}/widget.js`;
    script.async = true;
    script.dataset.key = widgetKey;
    document.body.appendChild(script);
  } catch {
    if (status)
      status.textContent =
        'The demo widget is only available on the default install. Copy your own embed snippet from the admin.';
  }
}

embedDemoWidget();
