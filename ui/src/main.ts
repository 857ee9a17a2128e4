/**
 * @module ui/main: the bundle's entry: styles (ours and uPlot's) and the app shell.
 */
import 'uplot/dist/uPlot.min.css';
import './styles/app.css';
import { startApp } from './views/app.js';

startApp(document.getElementById('app') ?? document.body);
