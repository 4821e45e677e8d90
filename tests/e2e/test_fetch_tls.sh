#!/usr/bin/env bash
# test_fetch_tls — `kbundle fetch` from an https store (nginx with a
# self-signed certificate on 127.0.0.1), issue 12 item 10:
#   * with the store's CA in CURL_CA_BUNDLE, a bundle fetches and verifies;
#   * without it, the certificate is refused (TLS is verified, not skipped),
#     once (another try meets the same certificate), with the fix named;
#   * a redirect from https to https is followed;
#   * a redirect from https to http (a downgrade) is refused by name, and
#     nothing is downloaded.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
kb_need python3 nginx curl openssl
fx() { python3 "$KB_SRC/tests/e2e/store_fixture.py" "$@"; }
export KBUNDLE_HTTP_BACKOFF_MS=50
rel=9.9.9-tls-amd64

srv=$KB_TMP/srv
mkdir -p "$srv/kb"
id=$(fx id tls)
fx bundle "$srv/kb/$id.tgz" "$id" "$rel"
fx index "$srv/kb"
cat >"$KB_TMP/snippet.conf" <<'CONF'
location ^~ /same/ { if ($scheme = https) { rewrite ^/same/(.*)$ https://127.0.0.1:$server_port/kb/$1 redirect; } }
location ^~ /down/ { if ($scheme = https) { rewrite ^/down/(.*)$ http://127.0.0.1:@PORT@/kb/$1 redirect; } }
CONF
KB_NGINX_TLS=1 kb_nginx_start "$srv" "$KB_TMP/snippet.conf"
url=$KB_NGINX_TLS_URL

CURL_CA_BUNDLE=$KB_NGINX_CA "$KBUNDLE" -q fetch --insecure-no-signature --uname "$rel" --arch amd64 --from "$url/kb" \
	-o "$KB_TMP/ok" || kb_die "fetch over https with the store's CA failed"
[ -f "$KB_TMP/ok/$id.tgz" ] || kb_die "fetch over https did not download the bundle"
kb_log "https with the store's CA in CURL_CA_BUNDLE: fetched $id"

rc=0
CURL_CA_BUNDLE= "$KBUNDLE" fetch --insecure-no-signature --uname "$rel" --arch amd64 --from "$url/kb" -o "$KB_TMP/noca" \
	2>"$KB_TMP/noca.err" || rc=$?
[ $rc = 1 ] || { cat "$KB_TMP/noca.err"; kb_die "an unknown CA: exit $rc, want 1"; }
grep -q "certificate.*name its certificate in CURL_CA_BUNDLE" "$KB_TMP/noca.err" ||
	{ cat "$KB_TMP/noca.err"; kb_die "an unknown CA is not named"; }
[ "$(grep -o 'certificate problem' "$KB_TMP/noca.err" | wc -l)" = 1 ] ||
	{ cat "$KB_TMP/noca.err"; kb_die "a certificate failure was retried"; }
[ ! -e "$KB_TMP/noca/$id.tgz" ] || kb_die "an unverified server's bundle was kept"
kb_log "an unknown CA: $(grep -m1 -i certificate "$KB_TMP/noca.err")"

CURL_CA_BUNDLE=$KB_NGINX_CA "$KBUNDLE" -q fetch --insecure-no-signature --uname "$rel" --arch amd64 --from "$url/same" \
	-o "$KB_TMP/same" || kb_die "a redirect from https to https was not followed"
[ -f "$KB_TMP/same/$id.tgz" ] || kb_die "https → https: the bundle is missing"

rc=0
CURL_CA_BUNDLE=$KB_NGINX_CA "$KBUNDLE" fetch --insecure-no-signature --uname "$rel" --arch amd64 --from "$url/down" \
	-o "$KB_TMP/down" 2>"$KB_TMP/down.err" || rc=$?
[ $rc = 1 ] || { cat "$KB_TMP/down.err"; kb_die "https → http: exit $rc, want 1"; }
grep -q "302 redirect to http://127.0.0.1:.* refused.*never from https to http" "$KB_TMP/down.err" ||
	{ cat "$KB_TMP/down.err"; kb_die "the https → http downgrade is not refused by name"; }
[ -z "$(ls -A "$KB_TMP/down" 2>/dev/null)" ] || kb_die "https → http: left $(ls -A "$KB_TMP/down")"
kb_log "https → http: $(grep -m1 refused "$KB_TMP/down.err")"
echo ok
