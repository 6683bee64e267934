upstream shop_app {
    server ⟪unix:/run/shop/gunicorn.sock⟫ fail_timeout=0;
}

server {
    listen 443 ssl http2;
    server_name shop.example.com;
    ssl_certificate     ⟪/etc/letsencrypt/live/shop.example.com/fullchain.pem⟫;
    ssl_certificate_key /etc/letsencrypt/live/shop.example.com/privkey.pem;
    ssl_session_ticket_key /etc/nginx/ticket.key;

    location /accounts/password/reset/ {
        limit_req zone=login burst=5;
        proxy_pass http://shop_app;
    }

    location /internal/metrics {
        auth_basic "metrics";
        auth_basic_user_file /etc/nginx/.htpasswd;
        proxy_pass http://⟪127.0.0.1:9100⟫;
    }

    location /legacy-api/ {
        proxy_set_header Authorization "Basic ⟦b64:legacy:«a:18»⟧";
        proxy_pass https://legacy.internal:8443/;
    }

    location /search/ {
        proxy_set_header Authorization "Bearer ⟦«a:48»⟧";
        proxy_set_header X-Api-Key ⟦«h:40»⟧;
        proxy_pass https://search.example.net/;
    }

    location /maps/ {
        set $maps_key "⟦AIza«u:35»⟧";
        proxy_pass https://maps.googleapis.com/maps/api/staticmap?key=$maps_key;
    }

    location / {
        proxy_set_header Host $host;
        proxy_set_header X-Request-ID $request_id;
        proxy_pass http://shop_app;
    }
}
