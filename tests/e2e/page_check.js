// page_check.js — run by browser.py inside a kbundle page (vmtest's --html
// report, or a store's index.html) after it loaded. `want` (from the test):
// rows (kernels or bundles), and for a report units (test-case columns),
// counts ({status: cells}), hostile (a string that must show as text).
// Returns {fails, links, facts}.
(function () {
	const d = document, fails = [], facts = {};
	const fail = (m) => fails.push(m);
	// the colours the page promises per status (lib/html.c's style sheet)
	const colours = { pass: 'rgb(198, 239, 206)', fail: 'rgb(255, 199, 206)',
		warn: 'rgb(255, 235, 156)', none: 'rgb(238, 238, 238)' };
	const rows = [...d.querySelectorAll('tr.k')];
	const shown = () => rows.filter((r) => r.offsetParent !== null);
	facts.rows = rows.length;
	if (rows.length !== want.rows)
		fail(`${rows.length} rows, want ${want.rows}`);
	if (shown().length !== rows.length)
		fail('rows hidden before any filter is set');

	// cells, their status colours, their reasons
	const cells = [...d.querySelectorAll('[data-status]')].filter((c) => c.tagName === 'TD');
	facts.counts = {};
	for (const c of cells) {
		const st = c.dataset.status, bg = getComputedStyle(c).backgroundColor;
		facts.counts[st] = (facts.counts[st] || 0) + 1;
		if (bg !== colours[st])
			fail(`a ${st} cell is ${bg}, want ${colours[st]}`);
		if (st === 'fail' && want.units && !/^[a-z_-]+: ./.test(c.title))
			fail(`a failing cell's title gives no check and reason: '${c.title}'`);
	}
	if (want.counts)
		for (const [st, n] of Object.entries(want.counts))
			if ((facts.counts[st] || 0) !== n)
				fail(`${facts.counts[st] || 0} ${st} cells, want ${n}`);
	if (want.units) {
		facts.units = [...d.querySelectorAll('thead th.unit')].map((t) => t.textContent);
		if (JSON.stringify(facts.units) !== JSON.stringify(want.units))
			fail(`columns ${JSON.stringify(facts.units)}, want ${JSON.stringify(want.units)}`);
		for (const r of rows)
			if (r.querySelectorAll('td.cell').length !== want.units.length)
				fail(`row ${r.dataset.id} has ${r.querySelectorAll('td.cell').length} cells`);
		// expanding a failing cell shows its checks, the failing one with its detail
		const bad = d.querySelector('td.cell[data-status=fail] details');
		if (bad) {
			bad.open = true;
			const li = bad.querySelector('li[data-status=fail]');
			if (!li || li.offsetParent === null || !li.querySelector('pre'))
				fail('an expanded failing cell shows no failed check with its detail');
			facts.expanded = li ? li.textContent.slice(0, 300) : null;
		}
	}
	facts.figures = d.getElementById('figures').innerText;

	// filters: each value of each select, then failing only
	const f = d.getElementById('filters');
	const set = (name, v) => {
		const e = f.elements[name];
		if (e.type === 'checkbox') e.checked = v; else e.value = v;
		e.dispatchEvent(new Event('change', { bubbles: true }));
	};
	facts.filters = {};
	for (const name of ['distro', 'arch']) {
		for (const o of f.elements[name].options) {
			if (!o.value)
				continue;
			set(name, o.value);
			const vis = shown(), fit = rows.filter((r) => r.dataset[name] === o.value);
			facts.filters[`${name}=${o.value}`] = vis.length;
			if (vis.length !== fit.length || vis.some((r) => r.dataset[name] !== o.value))
				fail(`${name}=${o.value}: ${vis.length} rows shown, want ${fit.length}`);
			if (d.getElementById('shown').textContent !== String(fit.length))
				fail(`${name}=${o.value}: the count says ${d.getElementById('shown').textContent}`);
			for (const g of d.querySelectorAll('tbody.g'))
				if (!g.hidden !== [...g.querySelectorAll('tr.k')].some((r) => r.offsetParent !== null))
					fail(`${name}=${o.value}: a group heading shown without rows, or hidden with rows`);
		}
		set(name, '');
	}
	if (f.elements.failing) {
		set('failing', true);
		const vis = shown(), fit = rows.filter((r) => r.dataset.failed === '1');
		facts.filters.failing = vis.length;
		if (vis.length !== fit.length || vis.some((r) => r.dataset.failed !== '1'))
			fail(`failing only: ${vis.length} rows shown, want ${fit.length}`);
		if (want.failing !== undefined && fit.length !== want.failing)
			fail(`${fit.length} failing rows, want ${want.failing}`);
		set('failing', false);
	}
	if (shown().length !== rows.length)
		fail('clearing the filters does not show every row again');

	// hostile strings are text, nothing of them runs or becomes markup
	if (want.hostile) {
		if (!d.body.textContent.includes(want.hostile))
			fail('the hostile string is not shown as text');
		if (d.querySelectorAll('script').length !== 1)
			fail(`${d.querySelectorAll('script').length} script elements, want the page's one`);
		if (d.querySelector('img, iframe, object, embed, svg, form#x, meta[http-equiv=refresh]'))
			fail('an injected element is in the DOM');
		if (window.kbPwned !== undefined)
			fail('injected script ran');
	}
	const links = [...d.querySelectorAll('a[href]')].map((a) => a.href);
	facts.nlinks = links.length;
	return { fails, links, facts };
})()
