import { mount } from 'svelte';

import './lib/theme/theme.css';
import './app.css';
import App from './App.svelte';
import { pickBackend } from './lib/backend/pick';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

const { backend, preview } = pickBackend();

export default mount(App, { target, props: { backend, preview } });
