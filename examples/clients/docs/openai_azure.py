#!/usr/bin/env python3
"""Bifrost's OpenAI SDK integration page, Azure: the AzureOpenAI client pointed at
<gateway>/openai, the Azure resource named in the x-bf-azure-endpoint header.

    TOLLGATE_URL=http://localhost:8080 AZURE_RESOURCE=https://myres.openai.azure.com \
        python3 examples/clients/docs/openai_azure.py
"""
import os

from openai import AzureOpenAI

GATEWAY = os.environ.get("TOLLGATE_URL", "http://localhost:8080")

azure_client = AzureOpenAI(
    api_key="your-azure-api-key",
    api_version="2024-02-01",
    azure_endpoint=f"{GATEWAY}/openai",  # Point to Tollgate
    default_headers={
        "x-bf-azure-endpoint": os.environ.get("AZURE_RESOURCE", "https://your-resource.openai.azure.com")
    }
)

azure_response = azure_client.chat.completions.create(
    model="gpt-4-deployment",  # Your deployment name
    messages=[{"role": "user", "content": "Hello from Azure!"}]
)

print(azure_response.choices[0].message.content)
