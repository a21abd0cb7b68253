"""Weighted cue lists for `sentiment.analyze_sentiment`, written in normalised form.

Cues are simplified Chinese, lower-case English or emoji. Weights: ~3 strong (a complaint
threat, an insult), ~2 clear, ~1 weak (needs company to reach a label). Matching is
leftmost-longest, so a longer cue such as 不满意 or 解决了没 hides the shorter 满意 / 解决了 inside it.
"""

from __future__ import annotations

from kb_service.assist.overlap import word_set


def _cues(spec: str, weight: float) -> dict[str, float]:
    return {cue: weight for cue in spec.split("|")}


ANGRY: dict[str, float] = {
    **_cues(
        "投诉|骗子|垃圾|12315|曝光|忍无可忍|气死|退钱|诈骗|欺诈|黑心|坑人|坑爹|无良|消协|消费者协会|"
        "工商局|市场监管|起诉|找律师|找媒体|差评|什么破|破电脑|破手机|他妈|妈的|tmd|受够了|骗人|"
        "耍我|太过分|什么态度|态度恶劣|最差|极差|奇葩|愤怒|气愤|火大|无耻|滚蛋",
        3.0,
    ),
    **_cues(
        "太差|太烂|恶心|失望|生气|不满意|敷衍|糊弄|踢皮球|推卸|推来推去|没人管|没人理|不给解决|不给退|"
        "搞什么|第三次|第四次|第五次|好几次|一次又一次|三番五次|反复修|修了又坏|凭什么|离谱|过分|"
        "忽悠|不负责|不专业|太慢了|等了一个月|无语|服了|醉了|没人接|没人回|不回复|没回复",
        2.0,
    ),
    **_cues("到底|又坏了|又是|三次了|还没修好|还是没修好|一直没人|说好的", 1.2),
    # Waiting too long: the commonest complaint about shipping and repairs.
    **_cues(
        "还没发货|还没收到|还没到账|还没退|迟迟|一直没|根本|一个月了|半个月了|两周了|一周了|好几天了", 1.2
    ),
    **_cues("怎么回事", 0.8),
    # A fix that failed is frustration, and outweighs a polite "谢谢" at the end.
    **_cues("还是不行|没解决|还没解决|没用|没有用|不管用|白修|没效果", 1.2),
    **_cues(
        "ridiculous|worst|scam|unacceptable|furious|sue|lawsuit|lawyer|legal action|rip off|ripoff|"
        "fraud|pathetic|disgusting|outraged|fed up|chargeback|never buy|wtf|what the hell|garbage|"
        "liar|incompetent|not acceptable|bbb",
        3.0,
    ),
    **_cues(
        "terrible|horrible|awful|useless|angry|junk|no one answers|nobody answers|no response|no reply|"
        "disappointed|sick of|third time|fourth time|complaint|"
        "complain|joke|lied|money back|refund my|nobody cares|waste of|how many times|trash|damn|"
        "again and again|still broken",
        2.0,
    ),
    **_cues("once again|still not|still no|seriously|taking so long|didn't help|did not help", 1.2),
    **_cues("😡|🤬|😠|💢|😤|👎|🖕", 2.5),
}

ANXIOUS: dict[str, float] = {
    **_cues(
        "来不及|明天就要|今天就要|数据会不会丢|资料会不会丢|急死|急用|赶时间|在线等|焦虑|不知道怎么办", 2.5
    ),
    **_cues(
        "着急|担心|害怕|慌|很急|紧急|重要的资料|重要资料|重要文件|重要数据|求求|求助|等不了|要出差|毕业论文|睡不着|尽快|赶紧|快点|麻烦快|"
        "数据丢|资料丢|文件丢|照片丢|能不能快|明天要用|急需",
        2.0,
    ),
    **_cues("怎么办|拜托|还要多久|要等多久|急|马上", 1.2),
    **_cues("论文|考试|开会|丢了|什么时候能|多久能|会不会", 0.8),
    # Questions about a pending fix: impatience, and they hide the satisfied 解决了 / 好了 inside.
    **_cues("解决了没|解决了吗|好了没|好了吗|修好了没|修好了吗|到了没|到了吗", 1.2),
    **_cues(
        "urgent|urgently|asap|as soon as possible|deadline|panic|panicking|emergency|anxious|"
        "lose my data|lost my data|lose all my|lost all my|need it by|need it for|important files",
        2.5,
    ),
    **_cues("worried|worry|scared|nervous|stressed|what should i do|thesis", 2.0),
    **_cues("please help", 1.2),
    **_cues("tomorrow|tonight|quickly|how long|exam|presentation|meeting|hurry|help me", 0.8),
    **_cues("😰|😱|😟|😥|😨|😧", 2.5),
    **_cues("😭|😢|🙏", 1.2),
}

SATISFIED: dict[str, float] = {
    **_cues(
        "解决了|太好了|好的明白|修好了|终于好了|终于修好|能用了|正常了|非常满意|问题没了|好评|点赞|给力|完美",
        2.5,
    ),
    **_cues(
        "满意|谢谢|感谢|多谢|谢啦|辛苦了|可以了|明白了|恢复了|靠谱|很专业|挺专业|有耐心|很耐心|开心|高兴|棒|不错|好用|赞",
        2.0,
    ),
    **_cues("好的|收到|懂了|了解了|ok了|行了|有用", 1.0),
    **_cues(
        "works now|working now|it works|problem solved|all good now|perfect|awesome|excellent|"
        "amazing|wonderful|fantastic|good job|love it|satisfied",
        2.5,
    ),
    **_cues(
        "thank you|thanks|thx|appreciate|appreciated|great|solved|resolved|fixed it|it's fixed|"
        "helpful|happy|glad",
        2.0,
    ),
    **_cues("got it|understood|ok thanks|cool", 1.0),
    **_cues("👍|😊|😄|😀|🎉|🥰|❤|💯|👌", 2.0),
}

# Look-alikes that must not count: matched like cues (longest first) but weigh nothing.
NEUTRAL: dict[str, float] = _cues("有用吗|可以了吗|行了吗|满意度|不错过|谢谢配合|人工智能|系统崩溃|专业版", 0)

# Words right before a cue that flip it, and words that strengthen it.
ZH_NEGATORS = "不|没|没有|别|未|并不|从不|毫不|一点也不|一点都不|不用|无需|不必"
ZH_NEGATION_FILLERS = "是|太|很|怎么|大|那么|算|够|特别|非常|咋|够|再"
ZH_INTENSIFIERS = "非常|特别|超级|极其|十分|真的|相当|实在|太|很|真|超|巨|贼|好|最|极"
EN_NEGATORS = word_set(
    "not no never don't dont doesn't doesnt isn't isnt wasn't wasnt aren't arent didn't didnt "
    "won't wont can't cant cannot hardly without nothing nor"
)
EN_CLAUSE_BREAKS = word_set("but and so because although though however")
EN_INTENSIFIERS = word_set("really so very extremely super totally absolutely incredibly truly beyond")
# Upper-case words that are names, not shouting.
ACRONYMS = word_set(
    "AC AMD BIOS CPU DC DHL DNS FAQ GPU HDMI HP ID IT LCD LED LTE OK OLED OS PC RAID RAM RTX SATA SN "
    "SSD TPM UEFI UPS USB USPS VPN WIFI WLAN AHCI NVME HDD SMS QR AI IOS UK US USA EU LTD IBM"
)
