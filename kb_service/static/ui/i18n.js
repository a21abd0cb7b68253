// UI text in the KB's language ("zh" or "en").

const TEXT = {
  zh: {
    title: "坐席助手",
    sep: "：",
    placeholder: "粘贴或输入客户的消息，或整段对话（每行以“客户:”或“客服:”开头）",
    hint: "Enter 搜索 · Shift+Enter 换行 · ↑/↓ 选择 · Ctrl+Enter 复制回复",
    channel: "渠道",
    category: "分类",
    anyCategory: "全部分类",
    product: "产品",
    productPlaceholder: "产品型号，多个用逗号分隔",
    search: "搜索",
    logout: "退出",
    queue: "建议队列",
    sentiment: "客户情绪",
    degraded: "语义检索暂不可用，仅显示关键词结果。",
    searching: "搜索中…",
    empty: "没有找到相关文章。",
    matched: "匹配问题",
    reply: "建议回复",
    copy: "复制",
    copied: "已复制 ✓",
    copyFailed: "复制失败，请手动选择文本。",
    noReply: "该文章没有可直接发送的回复。",
    helpful: "有用",
    notHelpful: "没用",
    thanks: "已记录反馈",
    took: "耗时",
    err401: "密钥无效或已过期，请重新登录：",
    err403: "没有权限：",
    err429: "请求太频繁，请稍后再试。",
    err5xx: "服务出错，请稍后再试：",
    errNetwork: "无法连接服务：",
    errOther: "请求失败：",
    relogin: "重新登录",
    faq: "问答",
    guide: "指南",
    angry: "愤怒",
    anxious: "焦急",
    neutral: "平静",
    satisfied: "满意",
    web: "网页",
    wechat: "微信",
    app: "App",
    phone: "电话",
    email: "邮件",
  },
  en: {
    title: "Agent assist",
    sep: ": ",
    placeholder: "Paste or type the customer's message, or a whole conversation (lines starting with 'Customer:' or 'Agent:')",
    hint: "Enter search · Shift+Enter newline · ↑/↓ select · Ctrl+Enter copy reply",
    channel: "Channel",
    category: "Category",
    anyCategory: "All categories",
    product: "Product",
    productPlaceholder: "Product models, comma-separated",
    search: "Search",
    logout: "Log out",
    queue: "Suggested queue",
    sentiment: "Customer mood",
    degraded: "Semantic search is unavailable; showing keyword results only.",
    searching: "Searching…",
    empty: "No matching articles.",
    matched: "Matched question",
    reply: "Suggested reply",
    copy: "Copy",
    copied: "Copied ✓",
    copyFailed: "Copy failed; please select the text by hand.",
    noReply: "No ready-to-send reply for this article.",
    helpful: "Helpful",
    notHelpful: "Not helpful",
    thanks: "Feedback saved",
    took: "took",
    err401: "The key was not accepted; please log in again: ",
    err403: "Not allowed: ",
    err429: "Too many requests; please try again shortly.",
    err5xx: "The service failed; please try again: ",
    errNetwork: "Cannot reach the service: ",
    errOther: "Request failed: ",
    relogin: "Log in again",
    faq: "FAQ",
    guide: "Guide",
    angry: "angry",
    anxious: "anxious",
    neutral: "neutral",
    satisfied: "satisfied",
    web: "Web",
    wechat: "WeChat",
    app: "App",
    phone: "Phone",
    email: "Email",
  },
};

export function translator(language) {
  const table = TEXT[language] || TEXT.zh;
  return (key) => (key in table ? table[key] : key);
}

/** A visible message for a failed API call, by status. */
export function errorText(t, err) {
  const status = err && err.status;
  const detail = (err && err.message) || "";
  if (status === 401) return t("err401") + detail;
  if (status === 403) return t("err403") + detail;
  if (status === 429) return t("err429");
  if (status >= 500) return t("err5xx") + detail;
  if (status === 0) return t("errNetwork") + detail;
  return t("errOther") + detail;
}
