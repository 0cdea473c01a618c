// Start of the Swagger UI on /docs: the OpenAPI document of this server, nothing from elsewhere.
// A file of its own (not an inline script), so the server's Content-Security-Policy holds.
window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout'
  });
});
