<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="csrf-token" content="⟦«a:64»⟧">
  <title>Log in | Shop</title>
  <link rel="stylesheet" href="/static/css/app.⟪9f8e7d6c⟫.css">
</head>
<body>
  <form method="post" action="/accounts/login/">
    <input type="hidden" name="csrfmiddlewaretoken" value="⟦«a:64»⟧">
    <label for="id_username">Username</label>
    <input type="text" name="username" value="jdoe" id="id_username" autocomplete="username">
    <label for="id_password">Password</label>
    <input type="password" name="password" value="⟦«p:14»⟧" id="id_password" autocomplete="current-password">
    <input type="hidden" name="api_key" value="⟦«h:32»⟧">
    <a href="⟪/accounts/password/reset/⟫">Forgot your password?</a>
    <button type="submit">Log in</button>
  </form>
  <img alt="logo" src="⟪data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAGXRFWHRTb2Z0d2FyZQBBZG9iZSBJbWFnZVJlYWR5ccllPAAAAyRpVFh0WE1MOmNvbS5hZG9iZS54bXAAAAAAADw/eHBhY2tldCBiZWdpbj0i77u/IiBpZD0iVzVNME1wQ2VoaUh6cmVTek5UY3prYzlkIj8+⟫">
  <script nonce="⟪rAnd0mN0nce⟫">window.SENTRY_RELEASE = "⟪shop@2.14.3⟫";</script>
</body>
</html>
