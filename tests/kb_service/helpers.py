from __future__ import annotations

from typing import Any

FAQ = {
    "type": "faq",
    "question": "电脑开不了机怎么办",
    "similar_questions": ["笔记本无法开机", "按电源键没反应", "开机黑屏不亮"],
    "answer": "1. 连接电源适配器充电30分钟；2. 长按电源键10秒强制关机后再开机。",
    "channel_answers": {"phone": "请先充电半小时，再长按电源键十秒。"},
    "category": "repair",
    "products": ["小新 Pro 14", "ThinkPad X1 Carbon Gen 11"],
    "tags": ["开机"],
}

GUIDE = {
    "type": "guide",
    "title": "Wi-Fi 频繁断开的排查方法",
    "body": "## 排查步骤\n1. 更新无线网卡驱动\n2. 关闭网卡节能\n\n## 仍未解决\n联系售后。",
    "category": "repair",
    "products": ["小新 Air 15"],
    "tags": ["网络"],
}


def create(api: Any, payload: dict[str, Any], kb: str = "default", role: str = "editor") -> dict[str, Any]:
    r = api.client.post(f"/v1/kbs/{kb}/articles", json=payload, headers=api.headers(role))
    assert r.status_code == 201, r.text
    return r.json()


def all_articles(api: Any, kb: str = "default") -> list[dict[str, Any]]:
    r = api.client.get(f"/v1/kbs/{kb}/articles?limit=200", headers=api.headers("admin"))
    assert r.status_code == 200, r.text
    return r.json()["items"]
