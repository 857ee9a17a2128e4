// Builds the web UI into ui/dist (placeholder until the UI lands: nothing to build yet).
console.log('build-ui: nothing to build yet');
