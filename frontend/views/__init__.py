"""Page views of the web portal, one module per part of the site. Each view parses the request, checks who may
see what through a selector, calls one service, and renders or redirects."""
