#!/usr/bin/env sh
# Copies the front-end libraries from node_modules into static/vendor (committed: set-up needs no npm).
# Run after changing assets/package.json: cd assets && npm ci && ./vendor.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
nm="$here/node_modules"
out="$here/../static/vendor"
rm -rf "$out" && mkdir -p "$out/tabler" "$out/icons/fonts" "$out/pretendard" "$out/tom-select" "$out/fonts/noto-sans-kr"
cp "$nm/@tabler/core/dist/css/tabler.min.css" "$nm/@tabler/core/dist/js/tabler.min.js" "$out/tabler/"
cp "$nm/@tabler/icons-webfont/dist/tabler-icons.min.css" "$out/icons/"
cp "$nm/@tabler/icons-webfont/dist/fonts/tabler-icons.woff2" "$nm/@tabler/icons-webfont/dist/fonts/tabler-icons.woff" "$out/icons/fonts/"
cp "$nm/pretendard/dist/web/static/woff2/Pretendard-Regular.woff2" "$nm/pretendard/dist/web/static/woff2/Pretendard-SemiBold.woff2" "$nm/pretendard/dist/web/static/woff2/Pretendard-Bold.woff2" "$out/pretendard/"
cp "$nm/pretendard/LICENSE" "$out/pretendard/LICENSE" 2>/dev/null || true
# Noto Sans KR for PDFs (WeasyPrint): OTF, because the PDF must not depend on a font the OS may lack.
cp "$nm/@embedpdf/fonts-kr/fonts/NotoSansKR-Regular.otf" "$nm/@embedpdf/fonts-kr/fonts/NotoSansKR-Bold.otf" "$out/fonts/noto-sans-kr/"
cp "$nm/@embedpdf/fonts-kr/LICENSE" "$out/fonts/noto-sans-kr/OFL.txt"
cp "$nm/htmx.org/dist/htmx.min.js" "$out/"
cp "$nm/@alpinejs/csp/dist/cdn.min.js" "$out/alpine-csp.min.js"
cp "$nm/echarts/dist/echarts.min.js" "$out/"
cp "$nm/sortablejs/Sortable.min.js" "$out/sortable.min.js"
cp "$nm/tom-select/dist/js/tom-select.complete.min.js" "$nm/tom-select/dist/css/tom-select.bootstrap5.min.css" "$out/tom-select/"
