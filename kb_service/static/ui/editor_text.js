// Editor console text in the KB's language ("zh" or "en"), on top of the shared strings in i18n.js,
// and how the console words API failures and status messages.
import { errorText, translator } from "./i18n.js";

const TEXT = {
  zh: {
    edTitle: "编辑控制台", edNeedsEditor: "编辑控制台需要编辑（editor）或管理员（admin）密钥。当前密钥的角色：",
    edTab_articles: "文章", edTab_upload: "批量导入", edTab_dictionary: "词典", edTab_settings: "设置", edTab_review: "审核队列",
    edSearchPlaceholder: "搜索标题或内容", edAllStatuses: "全部状态", edAllTypes: "全部类型",
    edStatus_draft: "草稿", edStatus_published: "已发布", edStatus_archived: "已归档", edInReview: "待审核",
    edNewFaq: "新建问答", edNewGuide: "新建指南", edTitleCol: "标题", edStatusCol: "状态", edVersionCol: "版本",
    edNoArticles: "没有符合条件的文章。", edTotal: "共 ",
    edQuestion: "标准问题", edSimilar: "相似问法", edAddSimilar: "添加相似问法", edRemove: "删除", edAnswer: "答案",
    edChannelAnswers: "分渠道答案（可选）", edChannelHint: "留空的渠道使用通用答案。",
    edGuideTitle: "标题", edBody: "正文（Markdown）", edPreview: "预览",
    edProducts: "产品", edTags: "标签", edListHint: "多个用逗号分隔", edValidFrom: "生效时间", edValidTo: "失效时间", edValidity: "有效期",
    edSave: "保存", edSaveDraft: "保存草稿", edPublish: "发布", edUnpublish: "撤回发布", edArchive: "归档",
    edSubmitReview: "提交审核", edReload: "重新加载", edSaved: "已保存", edCreated: "已创建草稿",
    edDone_publish: "已发布，可以在下方测试搜索。", edDone_unpublish: "已撤回为草稿。", edDone_archive: "已归档。",
    edDone_submit: "已提交审核，管理员批准后发布。",
    edHistory: "版本历史", edShowDiff: "查看改动", edRestore: "恢复此版本", edRestored: "已恢复为新版本，内容来自 v",
    edAction_create: "创建", edAction_update: "修改", edAction_publish: "发布", edAction_unpublish: "撤回",
    edAction_archive: "归档", edAction_submit: "提交审核", edAction_import: "导入", edAction_restore: "恢复自",
    edTestIt: "测试一下", edTestHint: "用客户可能的说法搜索，确认文章已能被找到。", edTestRun: "搜索",
    edTestFound: "✓ 已能搜到：排第 {n} 位", edTestMissing: "✗ 前 5 条结果中没有这篇文章",
    edUploadTitle: "批量导入", edUploadHint: "支持 CSV、XLSX、JSON/JSONL、Markdown、HTML、DOCX 或 ZIP。先预览（不写入），确认后再导入。",
    edNewStatus: "新文章状态", edDryRun: "预览改动", edImport: "导入", edImportSkipping: "导入 {n} 条有效记录（跳过有错误的行）",
    edChecking: "正在检查文件…", edImporting: "正在导入…", edImported: "导入完成。",
    edWouldDo: "预览（尚未写入）：", edDid: "已导入：", edFile: "文件", edRow: "行", edActionCol: "操作", edTitleOrError: "标题 / 错误",
    edPlan_created: "新建", edPlan_updated: "更新", edPlan_unchanged: "不变", edPlan_error: "错误",
    edDictionary: "词典", edUserWords: "自定义词（每行一个：词 [词频] [词性]）", edUserWordsHint: "产品型号、故障码、品牌词等，保存后重建索引。",
    edSynonyms: "同义词（每行一组，逗号分隔）", edSynonymsHint: "每组第一个词是标准说法，例如：开不了机, 无法开机, 不开机",
    edSaving: "保存中…", edSettingsSaved: "已保存。",
    edSettings: "知识库设置", edSettingsHint: "仅管理员可修改。", edAnswerThreshold: "直接回答阈值", edClarifyThreshold: "澄清阈值",
    edDefaultQueue: "默认队列", edRetention: "日志保留天数", edLanguage: "界面语言", edRequireReview: "发布前需要管理员审核",
    edQueueMap: "分类 → 转人工队列", edQueue: "队列", edAddCategory: "添加分类",
    edReviewQueue: "审核队列", edReviewHint: "编辑提交审核的草稿，批准后立即发布。", edReviewEmpty: "没有待审核的文章。",
    edApprove: "批准并发布", edApproved: "已发布：", edOpen: "打开", edSubmittedBy: "提交人：",
    edDiscard: "当前文章有未保存的修改，确定放弃吗？",
    errConflict: "这篇文章已被他人修改，请点击“重新加载”后再改：",
  },
  en: {
    edTitle: "Editor console", edNeedsEditor: "The editor console needs an editor (or admin) key. This key's role: ",
    edTab_articles: "Articles", edTab_upload: "Upload", edTab_dictionary: "Dictionary", edTab_settings: "Settings", edTab_review: "Review queue",
    edSearchPlaceholder: "Search titles and text", edAllStatuses: "All statuses", edAllTypes: "All types",
    edStatus_draft: "draft", edStatus_published: "published", edStatus_archived: "archived", edInReview: "in review",
    edNewFaq: "New FAQ", edNewGuide: "New guide", edTitleCol: "Title", edStatusCol: "Status", edVersionCol: "Version",
    edNoArticles: "No matching articles.", edTotal: "Total ",
    edQuestion: "Standard question", edSimilar: "Similar questions", edAddSimilar: "Add a similar question", edRemove: "Remove", edAnswer: "Answer",
    edChannelAnswers: "Per-channel answers (optional)", edChannelHint: "Channels left empty use the main answer.",
    edGuideTitle: "Title", edBody: "Body (Markdown)", edPreview: "Preview",
    edProducts: "Products", edTags: "Tags", edListHint: "comma-separated", edValidFrom: "Valid from", edValidTo: "Valid to", edValidity: "Validity",
    edSave: "Save", edSaveDraft: "Save draft", edPublish: "Publish", edUnpublish: "Unpublish", edArchive: "Archive",
    edSubmitReview: "Submit for review", edReload: "Reload", edSaved: "Saved", edCreated: "Draft created",
    edDone_publish: "Published; try a search below.", edDone_unpublish: "Back to draft.", edDone_archive: "Archived.",
    edDone_submit: "Submitted; an admin publishes it after review.",
    edHistory: "Version history", edShowDiff: "Show changes", edRestore: "Restore this version", edRestored: "Restored as a new version from v",
    edAction_create: "created", edAction_update: "edited", edAction_publish: "published", edAction_unpublish: "unpublished",
    edAction_archive: "archived", edAction_submit: "submitted", edAction_import: "imported", edAction_restore: "restored from",
    edTestIt: "Test it", edTestHint: "Search the way a customer would ask, to check the article is found.", edTestRun: "Search",
    edTestFound: "✓ Found, in place {n}", edTestMissing: "✗ Not in the top 5 results",
    edUploadTitle: "Upload", edUploadHint: "CSV, XLSX, JSON/JSONL, Markdown, HTML, DOCX or a ZIP of them. Preview first (nothing is written), then import.",
    edNewStatus: "Status of new articles", edDryRun: "Preview changes", edImport: "Import", edImportSkipping: "Import {n} valid records (skip the rows with errors)",
    edChecking: "Checking the file…", edImporting: "Importing…", edImported: "Import finished.",
    edWouldDo: "Preview (nothing written yet): ", edDid: "Imported: ", edFile: "File", edRow: "Row", edActionCol: "Action", edTitleOrError: "Title / error",
    edPlan_created: "new", edPlan_updated: "update", edPlan_unchanged: "unchanged", edPlan_error: "error",
    edDictionary: "Dictionary", edUserWords: "User words (one a line: word [freq] [tag])", edUserWordsHint: "Product models, error codes, brand terms; saving reindexes.",
    edSynonyms: "Synonyms (one group a line, comma-separated)", edSynonymsHint: "The first word of a group is the canonical one, e.g.: won't turn on, does not power on",
    edSaving: "Saving…", edSettingsSaved: "Saved.",
    edSettings: "Knowledge base settings", edSettingsHint: "Admins only.", edAnswerThreshold: "Answer threshold", edClarifyThreshold: "Clarify threshold",
    edDefaultQueue: "Default queue", edRetention: "Log retention (days)", edLanguage: "UI language", edRequireReview: "Publishing needs an admin's review",
    edQueueMap: "Category → handoff queue", edQueue: "Queue", edAddCategory: "Add a category",
    edReviewQueue: "Review queue", edReviewHint: "Drafts editors submitted; approving publishes them at once.", edReviewEmpty: "Nothing waits for review.",
    edApprove: "Approve and publish", edApproved: "Published: ", edOpen: "Open", edSubmittedBy: "Submitted by ",
    edDiscard: "This article has unsaved changes. Discard them?",
    errConflict: "Someone else changed this article; press Reload, then apply your change again: ",
  },
};

export function editorTranslator(language) {
  const own = TEXT[language] || TEXT.zh;
  const shared = translator(language);
  return (key) => (key in own ? own[key] : shared(key));
}

/** The API's own message, introduced by what kind of failure it was (see errorText in i18n.js). */
export function describeError(t, err) {
  return errorText(t, err);
}

/** Shows `text` in a status line styled by `kind` ("error", "success", "info"); empty text hides it. */
export function notice(box, text, kind) {
  box.textContent = text || "";
  box.className = kind === "info" ? "muted small" : kind || "";
  box.hidden = !text;
}
