"""The page ``counter serve`` sends a browser: textual-serve's ``app_index.html`` made self-contained.

Kept as a string (rendered through a jinja2 ``DictLoader``) so it ships with the Python code, no package-data entry.
Differences from textual-serve 1.1's template, each for a reason:

- no ``fonts.googleapis.com`` stylesheet: a counter's network may not reach it, and the page must request nothing
  from a third party. Roboto Mono (the terminal font textual.js asks for) comes from the copy textual-serve ships in
  ``static/fonts``, declared here with ``@font-face``; CJK glyphs fall back to the tablet's own fonts as before;
- every asset and the websocket are ``static_url`` / ``websocket_url``, built per request (serve_web.py);
- Chinese texts and ``lang="zh-CN"``; no Textual logo.

What textual.js needs is kept: ``#terminal.textual-terminal`` with ``data-session-websocket-url`` and
``data-font-size``, the body classes ``-first-byte`` / ``-closed`` it sets, ``#start`` and ``-delay``, ``refresh()``.
"""

from __future__ import annotations

PAGE_NAME = "counter_index.html"

PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>{{ title }}</title>
    <link rel="stylesheet" href="{{ static_url }}css/xterm.css" />
    <style>
      @font-face {
        font-family: "Roboto Mono";
        font-style: normal;
        font-weight: 100 700;
        src: url("{{ static_url }}fonts/RobotoMono-VariableFont_wght.ttf") format("truetype");
      }
      @font-face {
        font-family: "Roboto Mono";
        font-style: italic;
        font-weight: 100 700;
        src: url("{{ static_url }}fonts/RobotoMono-Italic-VariableFont_wght.ttf") format("truetype");
      }
      body {
        background: #0c181f;
      }
      .dialog-container {
        position: absolute;
        width: 100vw;
        height: 100vh;
        display: flex;
        align-items: center;
        justify-content: center;
        z-index: 10;
      }
      .shade {
        position: absolute;
        width: 100%;
        height: 100%;
        background: #0c181f;
        background-image: url("{{ static_url }}images/background.png");
      }
      .intro {
        width: 640px;
        max-width: 90vw;
        height: 240px;
        font-size: 18px;
        z-index: 20;
        font-family: "Roboto Mono", menlo, monospace;
        text-align: center;
        color: rgba(255, 255, 255, 0.95);
        background-color: #12232d;
        display: flex;
        flex-direction: column;
        align-items: center;
        justify-content: center;
        margin: 32px;
      }
      body.-first-byte .intro-dialog,
      body.-first-byte .intro-dialog .shade {
        opacity: 0;
        transition: opacity 0.3s ease-out;
        display: none;
      }
      body .textual-terminal {
        opacity: 0;
        transition: opacity 0.3s ease-out;
      }
      body.-first-byte .textual-terminal {
        opacity: 1;
        transition: opacity 0.3s ease-out;
      }
      body button {
        padding: 16px 32px;
        background-color: #5e0ba7;
        color: rgba(255, 255, 255, 0.95);
        border: none;
        font-size: 18px;
        margin: 16px;
        display: block;
      }
      button:hover {
        background: #ac5af4;
        cursor: pointer;
      }
      .closed-dialog {
        opacity: 0;
        display: none;
      }
      body.-closed .closed-dialog {
        opacity: 1;
        display: flex;
      }
      #start {
        display: none;
      }
      #start.-delay {
        display: flex;
      }
    </style>
    <script src="{{ static_url }}js/textual.js"></script>
    <script>
      function getStartUrl() {
        const url = new URL(window.location.href);
        const params = new URLSearchParams(url.search);
        params.delete("delay");
        return url.pathname + "?" + params.toString();
      }
      function refresh() {
        window.location.href = getStartUrl();
      }
    </script>
  </head>
  <body>
    <div class="dialog-container intro-dialog">
      <div class="shade"></div>
      <div class="intro">
        <div>{{ title }}</div>
        <button type="button" onClick="refresh()" id="start">开始</button>
      </div>
    </div>
    <div class="dialog-container closed-dialog">
      <div class="shade"></div>
      <div class="intro">
        <div class="message">会话已结束。</div>
        <button type="button" onClick="refresh()">重新连接</button>
      </div>
    </div>
    <div
      id="terminal"
      class="textual-terminal"
      data-session-websocket-url="{{ websocket_url }}"
      data-font-size="{{ font_size }}"
    ></div>
  </body>
</html>
"""
