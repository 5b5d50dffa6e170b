// The HTML-to-text reader web_fetch uses: readable structure, no script or style text, decoded
// entities, links with their URLs, and sane results on hostile or broken markup (which it reads in
// one forward pass, so no input can make it slow).
import { describe, expect, it } from 'vitest';
import { decodeEntities, htmlToText } from '../../src/sandbox/html-to-text.js';

describe('htmlToText', () => {
  it('drops tags, scripts, styles and comments, and puts blocks on lines of their own', () => {
    const html = '<html><head><title>T</title><STYLE>p{}</STYLE><script type="x">if (a < b) { "</p>" }</SCRIPT></head><body><div>one<br>two</div><!-- <p>no</p> --><p>three <b>bold</b>   words</p></body></html>';
    expect(htmlToText(html)).toBe('T\n\none\ntwo\n\nthree bold words');
  });

  it('marks list items, keeps <pre> as written, and separates table cells', () => {
    expect(htmlToText('<ol><li>a</li><li>b <i>c</i></li></ol><pre>x\n  y</pre><table><tr><td>1</td><td>2</td></tr></table>')).toBe('- a\n\n- b c\n\nx\n  y\n\n1 2');
  });

  it('follows link text with absolute http(s) URLs, and leaves out anchors and script links', () => {
    const html = '<p><a href="/docs?a=1&amp;b=2">docs</a> <a href="#top">top</a> <a href="javascript:x()">js</a> <a href=https://other.example/>bare</a></p>';
    expect(htmlToText(html, 'https://example.com/dir/page')).toBe('docs (https://example.com/docs?a=1&b=2) top js bare (https://other.example/)');
  });

  it('decodes named and numeric references and leaves unknown ones as written', () => {
    expect(decodeEntities('&lt;a&gt; &amp;amp; &#65;&#x42; &unknown; &#xD800; AT&T')).toBe('<a> &amp; AB &unknown; &#xD800; AT&T');
  });

  it('reads broken and hostile markup to the end without losing text', () => {
    expect(htmlToText('a < b and <3 <p>c')).toBe('a < b and <3\n\nc');
    expect(htmlToText('before<script>never closed <p>x</p>')).toBe('before');
    expect(htmlToText('<p title="a>b">text')).toBe('text');
    expect(htmlToText('<p title="never closed>text')).toBe('');
    expect(htmlToText(`${'&'.repeat(200_000)}end`)).toBe(`${'&'.repeat(200_000)}end`);
    expect(htmlToText('<a'.repeat(50_000))).toBe('');
    expect(htmlToText(`${'<script>'.repeat(10_000)}x`)).toBe('');
  });
});
