: 1700000000:0;cd ~/projects/shop
: 1700000012:0;git status
: 1700000020:3;git rebase -i ⟪9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d⟫
: 1700000101:0;export GITHUB_TOKEN=⟦ghp_«a:36»⟧
: 1700000110:12;gh pr list --repo acme/shop
: 1700000233:0;export STRIPE_SECRET_KEY="⟦sk_live_«a:99»⟧"
: 1700000240:1;python manage.py runserver ⟪0.0.0.0:8000⟫
: 1700000399:0;psql "postgresql://shop:⟦«a:20»⟧@⟪db.shop.internal:5432⟫/shop?sslmode=require"
: 1700000421:0;http POST https://api.shop.example/v1/login username=ops password=⟦Opspw-«a:12»⟧
: 1700000500:4;npm publish --otp=123456
: 1700000505:0;npm config set //registry.npmjs.org/:_authToken ⟦npm_«a:36»⟧
: 1700000600:0;twine upload -u __token__ -p ⟦pypi-AgEIcHlwaS5vcmc«u:140»⟧ dist/*
: 1700000700:0;./deploy.sh --token ⟦«h:40»⟧ --env production
: 1700000702:0;./sync.py --api-key="⟦«a:32»⟧" --dry-run
: 1700000800:0;echo "secret rotation failed for ⟪2024-11-03T10:15:00Z⟫"
: 1700000900:0;docker pull nginx@⟪sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31⟫
: 1700000950:0;ssh -i ~/.ssh/id_ed25519 deploy@⟪web-01.shop.internal⟫
