"use strict";
// Starts Swagger UI on the service's OpenAPI document (FastAPI's own settings, without the
// online validator: the page calls no other site).
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  validatorUrl: null,
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});
