#!/usr/bin/env bash
# Writes the seeds of the link, webhook and module_registration targets into
# fuzz/seeds/<target>/ with the crate's own code (the `munity` CLI) and the published
# vectors in tests/vectors/. The output is committed; run again only to refresh it.
# (The certificate seeds are JWKs; the open seeds are envelopes sealed by `munity seal`.)
#
# Usage: fuzz/make-seeds.sh   (uses target/debug/munity, building it if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
munity=target/debug/munity
[ -x "$munity" ] || cargo build --features cli --bin munity
seeds=fuzz/seeds

# link: the vectors' URLs (the first two signed with the key the target verifies with),
# one query alone, and links the CLI signs with that key.
key=REM0aW39.NfO0123456789CNeHpF29wo012345678
mkdir -p "$seeds/link"
n=0
grep -o '"url": "[^"]*"' tests/vectors/connect-link-v1.json | sed 's/^"url": "//; s/"$//' |
    while read -r url; do
        n=$((n + 1))
        printf '%s' "$url" >"$seeds/link/vector-$n"
    done
url=$(grep -o '"url": "[^"]*"' tests/vectors/connect-link-v1.json | head -1 | sed 's/^"url": "//; s/"$//')
printf '%s' "${url#*\?}" >"$seeds/link/query-only"
"$munity" link --api-key "$key" --workspace ws_9 --customer 'client é 7' --connector google-drive \
    --ttl 86400 --redirect-uri 'https://app.example.com/cb?a=1&b=%20#frag' --scope 'read:all write' |
    tr -d '\n' >"$seeds/link/cli-all-fields"
"$munity" link --api-key "$key" --workspace w --customer c --connector x --ttl 1 \
    --base http://localhost:8080/connect | tr -d '\n' >"$seeds/link/cli-minimal"

# webhook: `<id>\n<timestamp>\n<signature>\n<body>`, signed with the spec's secret at
# or near the spec's timestamp (the target's clock).
secret=$(sed -n 's/.*"secret": "\(.*\)".*/\1/p' tests/vectors/standard-webhooks.json)
other=whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
mkdir -p "$seeds/webhook"
webhook_seed() { # name id timestamp extra-signatures body
    local sig
    sig=$(printf '%s' "$5" | "$munity" webhook sign --secret "$secret" --id "$2" --timestamp "$3")
    printf '%s\n%s\n%s\n%s' "$2" "$3" "$4$sig" "$5" >"$seeds/webhook/$1"
}
webhook_seed spec msg_p5jXN8AQM9LWM0D4loKWxJek 1614265330 '' '{"test": 2432232314}'
rotated=$(printf 'x' | "$munity" webhook sign --secret "$other" --id msg_2 --timestamp 1614265400)
webhook_seed rotation msg_2 1614265400 "$rotated v2,ignored " $'{"type":"connection.created",\n "data":{"id":"con_1"}}'
webhook_seed empty-body msg_3 1614265100 '' ''

# module_registration: form and JSON bodies with the vector's key and token.
api_key=$(sed -n 's/.*"api_key": "\(.*\)".*/\1/p' tests/vectors/module-token-php.json)
token=$("$munity" module-token --api-key "$api_key" --secret my-secret)
mkdir -p "$seeds/module_registration"
printf 'register%%5BapiKey%%5D=%s&register%%5Btoken%%5D=%s' "$api_key" "$token" \
    >"$seeds/module_registration/form"
printf 'other=1&register[apiKey]=%s&register[token]=%s&register[shop]=acme+%%C3%%A9&x' \
    "$api_key" "$(printf '%s' "$token" | tr a-f A-F)" >"$seeds/module_registration/form-extra"
printf '{"register": {"apiKey": "%s", "token": "%s", "shop": "acme \\u00e9"}}' "$api_key" "$token" \
    >"$seeds/module_registration/json"
echo "seeds written to $seeds/{link,webhook,module_registration}"
