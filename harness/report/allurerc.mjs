// Allure 3 config for `npm run report`. The Awesome report in single-file form: every script and
// result inlined in index.html, so it opens from file:// (the multi-file form fetches its data
// and shows only a spinner there).
export default {
  name: 'redis-chaos',
  plugins: {
    awesome: {
      options: { singleFile: true, reportLanguage: 'en' },
    },
  },
};
