(function(){
'use strict';
const status=document.getElementById('status');
const errs=[];
function fail(m){errs.push(String(m));status.dataset.errors=String(errs.length);status.textContent='error: '+errs.join(' | ');}
window.addEventListener('error',ev=>fail(ev.message||'script error'));
try{
const D=JSON.parse(document.getElementById('tplus-data').textContent);
const S=D.strings, C=D.cols, L=D.lanes, N=D.n, IN=D.inputs, B=D.bins, TOTAL=D.total;
document.getElementById('lanes').dataset.total=String(TOTAL);
// Absolute times: microseconds (exact in a double for centuries) and milliseconds for drawing.
const TU=new Float64Array(N), TM=new Float64Array(N);
{let acc=0;for(let i=0;i<N;i++){acc+=C.t[i];TU[i]=acc;TM[i]=Math.floor(acc/1000);}}
function str(col,i){return S[C[col][i]];}
function utc(us){const ms=Math.floor(us/1000);const f=String(((us%1e6)+1e6)%1e6).padStart(6,'0');return new Date(ms).toISOString().slice(0,19)+'.'+f+'Z';}
function off(us){const d=us-D.t0;const sg=d<0?'-':'+';let s=Math.floor(Math.abs(d)/1e6);const h=Math.floor(s/3600),m=Math.floor(s/60)%60;s%=60;const p=v=>String(v).padStart(2,'0');return 'T'+sg+p(h)+':'+p(m)+':'+p(s);}
function evidence(i){const inp=IN[C.input[i]]||['',null,''];const l=C.line[i],r=C.record[i];
 return (l>=0?inp[0]+':'+l:r>=0?inp[0]+' record '+r:inp[0])+' (byte '+C.offset[i]+')';}
const cv=document.getElementById('lanes'), ctx=cv.getContext('2d');
const laneH=22, top=24, left=220;
let lo=N?TM[0]:Date.now(), hi=N?TM[N-1]:lo+1;
if(B){lo=Math.min(lo,B.start);hi=Math.max(hi,B.start+B.width*B.counts.reduce((m,cs)=>{for(let k=cs.length-1;k>=0;k--)if(cs[k])return Math.max(m,k+1);return m;},0));}
if(hi<=lo){lo-=60000;hi+=60000;}
const pad=(hi-lo)*0.02; lo-=pad; hi+=pad;
const full=[lo,hi];
function size(){const h=top+Math.max(1,L.length)*laneH+20;cv.width=Math.max(1,cv.clientWidth)*devicePixelRatio;cv.height=h*devicePixelRatio;cv.style.height=h+'px';ctx.setTransform(devicePixelRatio,0,0,devicePixelRatio,0,0);}
function plotW(){return Math.max(10,cv.clientWidth-left-10);}
function x(t){return left+(t-lo)/(hi-lo)*plotW();}
function lo_index(t){let a=0,b=N;while(a<b){const m=(a+b)>>1;if(TM[m]<t)a=m+1;else b=m;}return a;}
function draw(){
 size(); const w=cv.clientWidth;
 ctx.clearRect(0,0,w,cv.height);
 ctx.font='11px system-ui';ctx.fillStyle='#556';
 for(let i=0;i<=6;i++){const t=lo+(hi-lo)*i/6;const xx=x(t);ctx.fillText(new Date(t).toISOString().slice(0,19).replace('T',' '),xx-50,12);ctx.fillRect(xx,16,1,L.length*laneH+8);}
 L.forEach((name,i)=>{const y=top+i*laneH;ctx.fillStyle=i%2?'#f4f6f8':'#fff';ctx.fillRect(left,y,w-left,laneH);ctx.fillStyle='#223';ctx.fillText(name.length>34?name.slice(0,33)+'…':name,6,y+15);});
 for(const f of D.findings){if(f.start==null||f.end==null)continue;
  const rows=L.map((n,i)=>i).filter(i=>!f.source||L[i].startsWith(f.source)&&(!f.host||!D.byHost||L[i].endsWith(' · '+f.host)));
  const x0=x(f.start),x1=Math.max(x(f.end),x0+2);
  if(f.kind==='telemetry_gap'||f.kind==='coverage_gap'){ctx.fillStyle='rgba(200,60,60,0.18)';for(const r of rows)ctx.fillRect(x0,top+r*laneH,x1-x0,laneH);}
  else{ctx.fillStyle='#c00';for(const r of rows){ctx.beginPath();const y=top+r*laneH;ctx.moveTo(x0,y+6);ctx.lineTo(x0-5,y-2);ctx.lineTo(x0+5,y-2);ctx.fill();}}
 }
 // Aggregate: one bar per pixel column and lane, height by log(count). When the page holds
 // only part of the events, the counts come from the per-lane bins of every event instead.
 const cols=Math.floor(plotW()); const buckets=L.map(()=>new Uint32Array(cols+1));
 let mx=1, drawn=0; const a=lo_index(lo);
 if(B){for(let l=0;l<B.counts.length;l++){const b=buckets[l];const cs=B.counts[l];if(!b)continue;
   for(let k=0;k<cs.length;k++){if(!cs[k])continue;const t0=B.start+k*B.width,t1=t0+B.width;if(t1<lo||t0>hi)continue;
    const c0=Math.max(0,Math.floor((t0-lo)/(hi-lo)*cols)),c1=Math.min(cols,Math.max(c0,Math.floor((t1-lo)/(hi-lo)*cols)));
    const per=Math.max(1,Math.round(cs[k]/(c1-c0+1)));for(let c=c0;c<=c1;c++){b[c]+=per;if(b[c]>mx)mx=b[c];}}}}
 else for(let i=a;i<N&&TM[i]<=hi;i++){const c=Math.floor((TM[i]-lo)/(hi-lo)*cols);const b=buckets[C.lane[i]];if(!b)continue;b[c]+=1;if(b[c]>mx)mx=b[c];}
 buckets.forEach((b,i)=>{const y=top+i*laneH;for(let c=0;c<=cols;c++){if(!b[c])continue;drawn++;const h=Math.max(3,Math.log(1+b[c])/Math.log(1+mx)*(laneH-4));ctx.fillStyle='#2f6fd0';ctx.fillRect(left+c,y+laneH-2-h,1.5,h);}});
 for(let i=a;i<N&&TM[i]<=hi;i++){if(!C.tamper[i])continue;const xx=x(TM[i]);ctx.fillStyle='#c00';ctx.fillRect(xx-1,top+C.lane[i]*laneH,3,laneH);}
 const tx=x(D.t0/1000); if(tx>=left&&tx<=w){ctx.fillStyle='#d00';ctx.fillRect(tx,16,2,L.length*laneH+8);ctx.fillText('T0',tx+4,top-2);}
 cv.dataset.bars=String(drawn);
}
let drag=null;
cv.addEventListener('wheel',ev=>{ev.preventDefault();const r=cv.getBoundingClientRect();const px=ev.clientX-r.left;const t=lo+(px-left)/plotW()*(hi-lo);const k=ev.deltaY<0?0.8:1.25;lo=t-(t-lo)*k;hi=t+(hi-t)*k;draw();},{passive:false});
cv.addEventListener('mousedown',ev=>{drag=[ev.clientX,lo,hi];cv.style.cursor='grabbing';});
window.addEventListener('mouseup',()=>{drag=null;cv.style.cursor='grab';});
window.addEventListener('mousemove',ev=>{if(!drag)return;const dt=(ev.clientX-drag[0])/plotW()*(drag[2]-drag[1]);lo=drag[1]-dt;hi=drag[2]-dt;draw();});
document.getElementById('reset').addEventListener('click',()=>{lo=full[0];hi=full[1];draw();});
window.addEventListener('resize',draw);
const q=document.getElementById('filter'), tb=document.getElementById('rows'), info=document.getElementById('pageinfo');
const PAGE=200; let rows=null, page=0;
const FCOLS=['msg','actor','action','target','ip','host','source','outcome','conf','kind'];
function cell(tr,text,cls){const td=document.createElement('td');td.textContent=text==null?'':String(text);if(cls)td.className=cls;tr.appendChild(td);}
function count(){return rows?rows.length:N;}
function render(){
 tb.textContent=''; const start=page*PAGE; const end=Math.min(start+PAGE,count());
 for(let k=start;k<end;k++){const i=rows?rows[k]:k;const tr=document.createElement('tr');tr.className='ev';tr.dataset.i=i;
  const actor=str('actor',i);const cnt=C.count[i];
  cell(tr,off(TU[i]));cell(tr,utc(TU[i]));cell(tr,str('source',i));cell(tr,str('host',i));cell(tr,actor?actor+' ('+str('kind',i)+')':'');cell(tr,str('action',i));cell(tr,str('ip',i));cell(tr,str('outcome',i),str('outcome',i));cell(tr,str('conf',i),str('conf',i));cell(tr,(cnt>1?cnt+'× ':'')+str('msg',i),'msg');
  tb.appendChild(tr);}
 info.textContent=count()?`${start+1}–${end} of ${count()} events`+(rows?` (filtered from ${N})`:'')+(TOTAL>N?` · the page holds ${N} of ${TOTAL}`:''):'no events match';
 tb.dataset.rows=String(end-start); tb.dataset.matches=String(count());
}
function apply(){const t=q.value.trim().toLowerCase();page=0;
 if(!t){rows=null;render();return;}
 const hit=new Uint8Array(S.length);for(let k=0;k<S.length;k++)if(S[k].toLowerCase().includes(t))hit[k]=1;
 const cs=FCOLS.map(c=>C[c]);rows=[];
 for(let i=0;i<N;i++){for(const c of cs){if(hit[c[i]]){rows.push(i);break;}}}
 render();}
q.addEventListener('input',()=>{apply();history.replaceState(null,'',q.value?'#filter='+encodeURIComponent(q.value):'#');});
document.getElementById('prev').addEventListener('click',()=>{if(page>0){page--;render();}});
document.getElementById('next').addEventListener('click',()=>{if((page+1)*PAGE<count()){page++;render();}});
function detail(i){const inp=IN[C.input[i]]||['',null,''];
 const f=[['time (UTC)',utc(TU[i])],['T+',off(TU[i])],['timestamp as written',str('raw',i)],['timestamp meaning',str('desc',i)],['source',str('source',i)],['host',str('host',i)],['actor',str('actor',i)],['actor kind',str('kind',i)],['action',str('action',i)],['target',str('target',i)],['source IP',str('ip',i)],['outcome',str('outcome',i)],['count',C.count[i]],['confidence',str('conf',i)],['confidence reasons',str('reasons',i)],['event id',str('id',i)],['message',str('msg',i)],['evidence',evidence(i)],['evidence format',inp[2]],['evidence SHA-256',inp[1]]];
 document.getElementById('detail').textContent=f.map(([k,v])=>k+': '+(v===''||v==null?'—':v)).join('\n');}
tb.addEventListener('click',ev=>{const tr=ev.target.closest('tr');if(!tr)return;for(const s of tb.querySelectorAll('tr.sel'))s.classList.remove('sel');tr.classList.add('sel');detail(+tr.dataset.i);});
const fl=document.getElementById('findings');
for(const f of D.findings){const li=document.createElement('li');const b=document.createElement('span');b.className='sev-'+f.severity;b.textContent=f.severity+' '+f.kind+': ';li.appendChild(b);li.appendChild(document.createTextNode(f.summary+(f.evidence&&f.evidence.length?' ['+f.evidence.slice(0,5).join(', ')+']':'')));fl.appendChild(li);}
if(!D.findings.length){const li=document.createElement('li');li.textContent='No findings.';fl.appendChild(li);}
const h=location.hash.match(/^#filter=(.*)$/);
if(h){try{q.value=decodeURIComponent(h[1]);}catch(e){q.value=h[1];}}
draw(); if(q.value)apply(); else render();
// Proof of drawing for tests: count inked pixels in the plot area.
try{const px=ctx.getImageData(left*devicePixelRatio,top*devicePixelRatio,Math.max(1,(cv.width-left*devicePixelRatio)|0),Math.max(1,(L.length*laneH*devicePixelRatio)|0)).data;let ink=0;for(let k=0;k<px.length;k+=4){if(px[k+3]&&(px[k]<200||px[k+1]<200))ink++;}cv.dataset.ink=String(ink);}catch(e){cv.dataset.ink='unknown';}
if(!errs.length){status.textContent='ready';}
document.body.dataset.ready='1';
}catch(e){fail(e&&e.stack?e.stack:e);}
})();
