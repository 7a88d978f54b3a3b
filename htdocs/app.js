/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * forkhttpd sample site: small progressive enhancement.  The page reads
 * fine without it; with it, the status box shows that JavaScript ran, the
 * Server and Date fields of a HEAD request for "/", and a ticking clock,
 * and code blocks get a Copy button.
 */
(function () {
	"use strict";

	function $(id) {
		return document.getElementById(id);
	}

	function setText(id, text) {
		var el = $(id);
		if (el) {
			el.textContent = text;
			el.title = text;
		}
	}

	function markLoaded() {
		var el = $("js-status");
		if (!el)
			return;
		el.textContent = "JavaScript loaded";
		el.className = "badge badge-on";
	}

	function tick() {
		var now = new Date();
		setText("local-time", now.toLocaleString(undefined, {
			dateStyle: "medium", timeStyle: "medium"
		}));
	}

	function showHeaders() {
		if (!window.fetch || !$("srv-server"))
			return;
		fetch("/", { method: "HEAD", cache: "no-store" })
			.then(function (resp) {
				setText("srv-server", resp.headers.get("Server") ||
				    "(no Server field)");
				setText("srv-date", resp.headers.get("Date") ||
				    "(no Date field)");
			})
			.catch(function () {
				setText("srv-server", "unavailable");
				setText("srv-date", "unavailable");
			});
	}

	function addCopyButtons() {
		if (!navigator.clipboard)
			return;
		var blocks = document.querySelectorAll("pre[data-copy]");
		Array.prototype.forEach.call(blocks, function (pre) {
			var btn = document.createElement("button");
			btn.type = "button";
			btn.className = "copy";
			btn.textContent = "Copy";
			btn.addEventListener("click", function () {
				var text = pre.querySelector("code").innerText;
				navigator.clipboard.writeText(text).then(function () {
					btn.textContent = "Copied";
					setTimeout(function () {
						btn.textContent = "Copy";
					}, 1500);
				}, function () {
					btn.textContent = "Failed";
				});
			});
			pre.appendChild(btn);
		});
	}

	function start() {
		markLoaded();
		tick();
		setInterval(tick, 1000);
		showHeaders();
		addCopyButtons();
	}

	if (document.readyState === "loading")
		document.addEventListener("DOMContentLoaded", start);
	else
		start();
})();
